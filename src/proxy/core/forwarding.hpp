// What crosses the proxy in each direction, from header values only:
//   * forward_request_headers: the client's fields minus hop-by-hop ones (RFC 9110
//     section 7.6.1: Connection and the fields it names, Keep-Alive, TE, Trailer,
//     Transfer-Encoding, Upgrade, Proxy-*) and minus every field a client could use to
//     make the upstream answer differently without the cache keying it
//     (X-Forwarded-*, Forwarded, X-Real-IP, X-Original-URL, X-Rewrite-URL, X-Host,
//     and method overrides on cacheable requests); then X-Forwarded-For/-Proto/-Host
//     set by Herald. For a cache fill the conditional and Range fields go too: the
//     cache needs the full answer.
//   * response_head: the status line and fields a client gets, without hop-by-hop
//     fields, Surrogate-Control (meant for Herald), Surrogate-Key / Cache-Tag (unless
//     kept), and with a Content-Length for the body as buffered.
//
// Thread: pure functions. Cost: O(header bytes).
#pragma once

#include "proxy/core/header_list.hpp"

#include <string>
#include <string_view>

namespace herald::proxy {

struct ForwardContext {
  std::string client_ip;       ///< peer address of the client connection
  std::string proto = "http";  ///< the scheme the client used with Herald
  bool cache_fill = false;     ///< the request fills the cache (GET, no conditionals)
};

/// True for fields that describe one connection, not the message (plus the fields
/// `message`'s Connection header names).
bool hop_by_hop(std::string_view name, const HeaderList& message);

HeaderList forward_request_headers(const HeaderList& client, const ForwardContext& ctx);

/// "HTTP/1.1 <status> <reason>\r\n<fields>\r\n..." without the final blank line.
/// No Content-Length for 1xx, 204 and 304 answers. `head_answer`: the answer to a
/// HEAD request (no body here): the upstream's Content-Length is kept as it came.
std::string response_head(unsigned status, std::string_view reason, const HeaderList& fields,
                          std::size_t body_size, bool keep_tag_headers = false,
                          bool head_answer = false);

}  // namespace herald::proxy
