// Fetched: an HTTP answer with its fields, for the proxy tests against `herald serve
// --upstream ...` (a HeraldProcess): fetch(), one HTTP/1.1 request on a fresh
// connection, and fetch_at_once(), a miss storm of concurrent requests.
#pragma once

#include "support/http_request.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace herald::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

/// An answer (support/http_request.hpp) and its Cache-Status field.
struct Fetched : HttpResult {
  std::string cache_status() const { return header("cache-status"); }
};

/// One request on a fresh connection; `headers` replace defaults (Host included).
inline Fetched fetch(std::uint16_t port, const std::string& target,
                     std::map<std::string, std::string> headers = {},
                     http::verb verb = http::verb::get, std::string body = {}) {
  return Fetched{http_request(port, verb, target, std::move(body), headers)};
}

/// `count` GET requests for `target` at once, each on its own connection, spread
/// over `ports` in turn (one io_context, one coroutine per request): a miss storm.
/// Returns the answers in request order (status 0: the request failed).
inline std::vector<Fetched> fetch_at_once(const std::vector<std::uint16_t>& ports,
                                          const std::string& target, std::size_t count,
                                          const std::map<std::string, std::string>& headers = {}) {
  asio::io_context ioc;
  std::vector<Fetched> out(count);
  for (std::size_t i = 0; i < count; ++i) {
    const std::uint16_t port = ports[i % ports.size()];
    asio::co_spawn(
        ioc,
        [&, i, port]() -> asio::awaitable<void> {
          beast::tcp_stream stream(co_await asio::this_coro::executor);
          stream.expires_after(std::chrono::seconds(60));
          co_await stream.async_connect(
              asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port),
              asio::use_awaitable);
          http::request<http::string_body> req{http::verb::get, target, 11};
          req.set(http::field::host, "127.0.0.1:" + std::to_string(port));
          for (auto& [k, v] : headers) req.set(k, v);
          co_await http::async_write(stream, req, asio::use_awaitable);
          beast::flat_buffer buffer;
          http::response<http::string_body> res;
          co_await http::async_read(stream, buffer, res, asio::use_awaitable);
          out[i].status = res.result_int();
          out[i].body = res.body();
        },
        asio::detached);  // a failed request keeps status 0
  }
  ioc.run();
  return out;
}

}  // namespace herald::test
