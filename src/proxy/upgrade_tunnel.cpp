// UpgradeTunnel: connect, forward the handshake, relay the 101 and then the bytes.
#include "proxy/upgrade_tunnel.hpp"

#include "proxy/core/forwarding.hpp"
#include "proxy/core/header_list.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include <array>

namespace herald::proxy {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::awaitable;
using asio::ip::tcp;
using namespace asio::experimental::awaitable_operators;

namespace {

/// Copies bytes from `from` to `to` until `from` ends (then `to` hears the end: its
/// write side is shut down) or a side fails (then both sockets close, which ends the
/// other direction too).
awaitable<void> relay(beast::tcp_stream& from, beast::tcp_stream& to) {
  std::array<char, 16384> chunk;
  boost::system::error_code ec;
  for (;;) {
    const std::size_t n = co_await from.async_read_some(
        asio::buffer(chunk), asio::redirect_error(asio::use_awaitable, ec));
    if (n > 0) {
      boost::system::error_code wec;
      co_await asio::async_write(to, asio::buffer(chunk.data(), n),
                                 asio::redirect_error(asio::use_awaitable, wec));
      if (wec) ec = wec;
    }
    if (ec) break;
  }
  boost::system::error_code ignored;
  if (ec == asio::error::eof) {
    to.socket().shutdown(tcp::socket::shutdown_send, ignored);
  } else {
    from.socket().close(ignored);
    to.socket().close(ignored);
  }
}

/// "HTTP/1.1 502 Bad Gateway" with a text body, then close.
awaitable<void> fail(beast::tcp_stream& client, unsigned version, std::string why) {
  http::response<http::string_body> res{http::status::bad_gateway, version};
  res.set(http::field::content_type, "text/plain; charset=utf-8");
  res.set(http::field::cache_control, "no-store");
  res.set("Cache-Status", "herald; fwd=bypass; detail=upgrade");
  res.keep_alive(false);
  res.body() = "502 Bad Gateway: " + why + "\n";
  res.prepare_payload();
  boost::system::error_code ec;
  co_await http::async_write(client, res, asio::redirect_error(asio::use_awaitable, ec));
}

}  // namespace

awaitable<void> UpgradeTunnel::run(beast::tcp_stream& client, beast::flat_buffer& buffer,
                                   const http::request<http::string_body>& request,
                                   std::string client_ip) {
  boost::system::error_code ec;
  auto ex = co_await asio::this_coro::executor;
  tcp::resolver resolver{ex};
  auto endpoints = co_await resolver.async_resolve(options_.upstream_host,
                                                   std::to_string(options_.upstream_port),
                                                   asio::redirect_error(asio::use_awaitable, ec));
  beast::tcp_stream upstream{ex};
  if (!ec) {
    upstream.expires_after(options_.connect_timeout);
    co_await upstream.async_connect(endpoints, asio::redirect_error(asio::use_awaitable, ec));
  }
  if (ec) {
    ++stats_.refused;
    const std::string why = "upstream unreachable: " + ec.message();
    co_await fail(client, request.version(), why);
    co_return;
  }
  upstream.socket().set_option(tcp::no_delay(true), ec);

  // The handshake as the proxy forwards any request, plus the upgrade itself.
  HeaderList fields;
  for (const auto& f : request) fields.add(std::string(f.name_string()), std::string(f.value()));
  // Named, not temporaries: g++ 12 mishandles temporaries in coroutines.
  const ForwardContext forward{std::move(client_ip), "http", false};
  const HeaderList out = forward_request_headers(fields, forward);
  std::string head =
      std::string(request.method_string()) + " " + std::string(request.target()) + " HTTP/1.1\r\n";
  for (const auto& [name, value] : out.fields()) head += name + ": " + value + "\r\n";
  head +=
      "Connection: Upgrade\r\nUpgrade: " + std::string(request[http::field::upgrade]) + "\r\n\r\n";
  upstream.expires_after(options_.header_timeout);
  co_await asio::async_write(upstream, asio::buffer(head),
                             asio::redirect_error(asio::use_awaitable, ec));
  beast::flat_buffer up_buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(options_.max_body_bytes);
  if (!ec)
    co_await http::async_read_header(upstream, up_buffer, parser,
                                     asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    ++stats_.refused;
    const std::string why =
        ec == beast::error::timeout ? std::string("upstream timeout") : "upstream: " + ec.message();
    co_await fail(client, request.version(), why);
    co_return;
  }
  if (parser.get().result_int() != 101) {
    // Not switching: the app's answer as it came (e.g. 404, 401), then close.
    ++stats_.refused;
    if (!parser.is_done())
      co_await http::async_read(upstream, up_buffer, parser,
                                asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      const std::string why = "upstream answer unreadable: " + ec.message();
      co_await fail(client, request.version(), why);
      co_return;
    }
    auto res = parser.release();
    res.keep_alive(false);
    co_await http::async_write(client, res, asio::redirect_error(asio::use_awaitable, ec));
    co_return;
  }

  // 101: its header to the client, then whatever either side sent early, then relay.
  std::string switched = "HTTP/1.1 101 Switching Protocols\r\n";
  for (const auto& f : parser.get())
    switched += std::string(f.name_string()) + ": " + std::string(f.value()) + "\r\n";
  switched += "\r\n";
  client.expires_never();
  upstream.expires_never();
  co_await asio::async_write(client, asio::buffer(switched),
                             asio::redirect_error(asio::use_awaitable, ec));
  if (!ec && up_buffer.size() > 0)
    co_await asio::async_write(client, up_buffer.data(),
                               asio::redirect_error(asio::use_awaitable, ec));
  if (!ec && buffer.size() > 0)
    co_await asio::async_write(upstream, buffer.data(),
                               asio::redirect_error(asio::use_awaitable, ec));
  buffer.consume(buffer.size());
  if (ec) co_return;
  ++stats_.opened;
  ++stats_.open;
  co_await (relay(client, upstream) && relay(upstream, client));
  --stats_.open;
}

}  // namespace herald::proxy
