// http_request(): one blocking HTTP/1.1 request to 127.0.0.1 on a fresh connection,
// and HttpResult, its answer (status, body, header fields with lower-case names). The
// one HTTP client of the tests that run a server in process (test_clients.hpp), a
// herald child (HeraldProcess::request) or a proxy in front of an app
// (proxy/fetched.hpp's fetch). Header-only: Beast and Boost.JSON, nothing of Herald.
// Cost: a connection per call; bodies up to 64 MiB.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <cctype>
#include <cstdint>
#include <map>
#include <string>
#include <utility>

namespace herald::test {

struct HttpResult {
  unsigned status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  ///< names in lower case
  boost::json::value json() const { return boost::json::parse(body); }
  /// The field's value, "" if absent (`name` in lower case).
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

/// Sends `verb target` with `body` (Content-Length set when there is one, or for
/// POST/PUT/PATCH) and `headers` (they replace the defaults, Host included); reads the
/// whole answer (none for HEAD). Throws boost::system::system_error when the
/// connection fails.
inline HttpResult http_request(std::uint16_t port, boost::beast::http::verb verb,
                               const std::string& target, std::string body = {},
                               const std::map<std::string, std::string>& headers = {}) {
  namespace asio = boost::asio;
  namespace beast = boost::beast;
  namespace http = beast::http;
  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  http::request<http::string_body> req{verb, target, 11};
  req.set(http::field::host, "127.0.0.1:" + std::to_string(port));
  for (const auto& [k, v] : headers) req.set(k, v);
  req.body() = std::move(body);
  req.prepare_payload();
  http::write(stream, req);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 << 20);
  if (verb == http::verb::head) parser.skip(true);  // Beast: a HEAD answer has no body
  http::read(stream, buffer, parser);
  HttpResult out{static_cast<unsigned>(parser.get().result_int()), parser.get().body(), {}};
  for (const auto& field : parser.get()) {
    std::string name(field.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.headers[std::move(name)] = std::string(field.value());
  }
  return out;
}

}  // namespace herald::test
