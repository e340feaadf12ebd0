// Request-head checks (RFC 9112 framing and Host, RFC 6455 key) and the answers to
// requests the parser rejected.
#include "gateway/request_head.hpp"

#include "gateway/request_arena.hpp"

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>

namespace herald::gateway {

namespace http = boost::beast::http;

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

template <class Fields>
HeadVerdict check_request_head(const http::request_header<Fields>& head) {
  std::size_t hosts = head.count(http::field::host);
  if (head.version() >= 11 && hosts != 1) {
    return {400, hosts == 0 ? "HTTP/1.1 request without Host" : "more than one Host field"};
  }
  if (hosts > 1) return {400, "more than one Host field"};

  auto [first, last] = head.equal_range(http::field::transfer_encoding);
  if (first == last) return {};
  if (head.version() < 11) return {400, "Transfer-Encoding in an HTTP/1.0 request"};
  if (head.count(http::field::content_length) != 0)
    return {400, "both Transfer-Encoding and Content-Length"};
  // The codings of every Transfer-Encoding field, in order.
  std::size_t codings = 0;
  bool chunked_last = false;
  for (auto it = first; it != last; ++it) {
    std::string_view value = it->value();
    while (true) {
      std::size_t comma = value.find(',');
      std::string_view coding = trim(value.substr(0, comma));
      // Empty list elements are allowed by the list syntax; a coding with parameters
      // (";") is some coding other than chunked.
      if (!coding.empty()) {
        ++codings;
        chunked_last = boost::beast::iequals(coding, "chunked");
      }
      if (comma == std::string_view::npos) break;
      value.remove_prefix(comma + 1);
    }
  }
  if (codings == 1 && chunked_last) return {};
  if (chunked_last) return {501, "transfer codings other than chunked are not implemented"};
  return {400, "Transfer-Encoding must be chunked"};
}

template HeadVerdict check_request_head(const http::request_header<http::fields>& head);
template HeadVerdict check_request_head(const http::request_header<ArenaFields>& head);

HeadVerdict parse_error_answer(const boost::system::error_code& ec, std::string_view buffered,
                               std::size_t header_limit, bool start_line_parsed) {
  if (ec.category() != http::make_error_code(http::error::bad_method).category()) return {};
  switch (static_cast<http::error>(ec.value())) {
    case http::error::end_of_stream:
    case http::error::partial_message:
    case http::error::need_more:
    case http::error::need_buffer:
    case http::error::unexpected_body:
    case http::error::buffer_overflow:
    case http::error::end_of_chunk:
    case http::error::stale_parser:
      return {};
    case http::error::header_limit:
      if (start_line_parsed) return {431, "request header fields too large"};
      if (std::size_t nl = buffered.find('\n'); nl == std::string_view::npos || nl >= header_limit)
        return {414, "request line too long"};
      return {431, "request header fields too large"};
    case http::error::body_limit:
      return {413, "request body too large"};
    default:
      return {400, "malformed request"};
  }
}

bool valid_websocket_key(std::string_view key) {
  key = trim(key);
  if (key.size() != 24 || key.substr(22) != "==") return false;
  for (std::size_t i = 0; i < 22; ++i) {
    char c = key[i];
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '+' || c == '/';
    if (!ok) return false;
  }
  return true;
}

}  // namespace herald::gateway
