// Request-head checks: what Beast's HTTP parser accepts but a server must refuse
// (RFC 9112), and the status to answer a request the parser rejected. Sans-io: pure
// functions of the parsed head or of the parser's error and unparsed bytes, so the
// unit tests and the fuzzer (fuzz/http_request_head_fuzz.cpp) run them without sockets.
// Any thread; cost O(size of the head).
#pragma once

#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/system/error_code.hpp>

#include <cstddef>
#include <string_view>

namespace herald::gateway {

/// An answer to refuse a request with: status 0 = nothing to refuse.
struct HeadVerdict {
  unsigned status = 0;
  std::string_view message;
};

/// After the head was parsed, before any body is read:
///   - Transfer-Encoding must be absent or exactly `chunked` (one coding, one field).
///     A list ending in chunked (`gzip, chunked`): 501, codings are not implemented;
///     anything else (`identity`, `chunked, identity`, ...): 400, since the body's
///     length cannot be determined (RFC 9112 section 6.3). With Content-Length as well,
///     or in HTTP/1.0: 400. Framing by Content-Length instead would let a proxy in
///     front frame the same bytes differently (request smuggling).
///   - HTTP/1.1 needs exactly one Host field (RFC 9112 section 3.2): else 400.
/// Refused requests are answered and the connection is closed.
/// For the request heads the gateway parses: std::allocator fields and RequestArena's.
template <class Fields>
HeadVerdict check_request_head(const boost::beast::http::request_header<Fields>& head);

/// The answer to a request the parser rejected (`buffered`: the bytes it had not
/// consumed; `start_line_parsed`: it had taken the request line, which is then no
/// longer in `buffered`): header_limit -> 414 when the request line alone was over
/// `header_limit`, else 431; body_limit -> 413; other parse errors -> 400; errors
/// that are not about the request (end of stream, timeout, socket errors) -> status 0 (just close).
HeadVerdict parse_error_answer(const boost::system::error_code& ec, std::string_view buffered,
                               std::size_t header_limit, bool start_line_parsed);

/// Sec-WebSocket-Key is valid: base64 of exactly 16 bytes (RFC 6455 section 4.2.1),
/// i.e. 22 base64 characters then "==".
bool valid_websocket_key(std::string_view key);

}  // namespace herald::gateway
