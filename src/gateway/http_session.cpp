// HttpSession: request loop of one connection, admission of real-time upgrades.
#include "gateway/http_session.hpp"

#include "gateway/http_api.hpp"
#include "gateway/server_context.hpp"
#include "gateway/sse_session.hpp"
#include "gateway/websocket_session.hpp"
#include "proxy/http_proxy.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/url/parse.hpp>

namespace herald::gateway {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::awaitable;
using asio::use_awaitable;

// Outcome of the checks before an upgrade: an error status, or who is connecting.
struct Admission {
  unsigned status = 0;  // 0 = admitted
  std::string message;
  std::optional<Identity> identity;  // nullopt: WebSocket auth by first frame
};

Admission admit(ServerContext& ctx, Shard& shard, const HttpRequest& req, bool sse) {
  Admission a;
  if (ctx.stopping.load()) return {503, "server is shutting down", {}};
  if (!ctx.access.origin_allowed(req[http::field::origin], req[http::field::host])) {
    return {403, "origin not allowed", {}};
  }
  std::string token;
  if (auto url = boost::urls::parse_origin_form(req.target())) {
    for (auto param : url->params()) {
      if (param.key == "token") token = param.value;
    }
  }
  if (token.empty())
    token = std::string(AccessPolicy::bearer_token(req[http::field::authorization]));
  if (!ctx.access.auth_enabled()) {
    a.identity = Identity{};
  } else if (!token.empty()) {
    a.identity = ctx.access.authenticate(token);
    if (!a.identity) return {401, "invalid or expired token", {}};
  } else if (sse) {
    return {401, "token required", {}};
  }
  if (!ctx.acquire_connection()) {
    shard.metrics().rejected_connections.fetch_add(1, std::memory_order_relaxed);
    spdlog::warn("connection cap of {} reached: refusing an upgrade", ctx.options.max_connections);
    return {503, "too many connections", {}};
  }
  return a;
}

// What the request loop hands over when a request upgrades to a real-time session.
struct Upgrade {
  asio::ip::tcp::socket socket;
  bool sse = false;
  HttpRequest request;
  std::optional<Identity> identity;
};

// Serves HTTP requests on `stream` until the connection ends (nullopt) or a request
// is admitted as a WebSocket/SSE upgrade. A separate coroutine so that its parser,
// buffers and API state are freed before the long-lived session starts.
awaitable<std::optional<Upgrade>> serve_requests(ServerContext& ctx, Shard& shard,
                                                 asio::ip::tcp::socket socket, bool loopback) {
  beast::tcp_stream stream(std::move(socket));
  boost::system::error_code ec;
  beast::flat_buffer buffer;
  HttpApi api(ctx, shard);
  while (true) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(ctx.options.max_http_body);
    parser.header_limit(16 * 1024);
    stream.expires_after(std::chrono::seconds(60));  // idle keep-alive connections go
    co_await http::async_read_header(stream, buffer, parser,
                                     asio::redirect_error(use_awaitable, ec));
    if (!ec && !parser.is_done()) {
      // curl and others wait (1 s) for "100 Continue" before sending a large body.
      if (beast::iequals(parser.get()[http::field::expect], "100-continue")) {
        http::response<http::empty_body> go_on{http::status::continue_, parser.get().version()};
        co_await http::async_write(stream, go_on, asio::redirect_error(use_awaitable, ec));
      }
      if (!ec)
        co_await http::async_read(stream, buffer, parser, asio::redirect_error(use_awaitable, ec));
    }
    if (ec == http::error::body_limit) {
      HttpRequest head;
      head.version(parser.get().version());
      auto res = json_error(head, 413, "request body too large");
      res.keep_alive(false);
      co_await http::async_write(stream, res, asio::redirect_error(use_awaitable, ec));
      co_return std::nullopt;
    }
    if (ec) co_return std::nullopt;
    HttpRequest req = parser.release();
    std::string_view target = req.target();
    std::string_view path = target.substr(0, target.find('?'));
    if (path == "/ws" || path == "/sse") {
      bool sse = path == "/sse";
      Admission a;
      if (!sse && !beast::websocket::is_upgrade(req)) {
        a = {426, "WebSocket upgrade required", {}};
      } else {
        a = admit(ctx, shard, req, sse);
      }
      if (a.status == 0) {
        stream.expires_never();
        co_return Upgrade{stream.release_socket(), sse, std::move(req), std::move(a.identity)};
      }
      auto res = json_error(req, a.status, a.message);
      co_await http::async_write(stream, res, asio::redirect_error(use_awaitable, ec));
      if (ec || !res.keep_alive()) co_return std::nullopt;
      continue;
    }
    if (ctx.options.proxy != nullptr && !HttpApi::owns(path)) {  // the upstream's
      const bool api = ctx.access.api_allowed(req[http::field::authorization], loopback);
      if (!co_await ctx.options.proxy->serve(stream, req, api) || ctx.stopping.load()) break;
      continue;
    }
    HttpResponse res = co_await api.handle(req, loopback);
    if (ctx.stopping.load()) res.keep_alive(false);
    co_await http::async_write(stream, res, asio::redirect_error(use_awaitable, ec));
    if (ec || !res.keep_alive()) break;
  }
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ec);
  co_return std::nullopt;
}

}  // namespace

awaitable<void> run_http_session(ServerContext& ctx, Shard& shard, asio::ip::tcp::socket socket) {
  try {
    boost::system::error_code ec;
    auto remote = socket.remote_endpoint(ec);
    bool loopback = !ec && remote.address().is_loopback();
    // The HTTP state (parser, buffers, stream timers) is freed before a real-time
    // session starts: it would otherwise sit in this frame for the connection's life.
    std::optional<Upgrade> upgrade =
        co_await serve_requests(ctx, shard, std::move(socket), loopback);
    if (!upgrade) co_return;
    // Spawned rather than awaited: this frame (and its caller's) would otherwise stay
    // allocated for the connection's whole life.
    auto executor = upgrade->socket.get_executor();
    if (upgrade->sse) {
      asio::co_spawn(executor,
                     run_sse_session(ctx, shard, std::move(upgrade->socket),
                                     std::move(upgrade->request), std::move(*upgrade->identity)),
                     asio::detached);
    } else {
      asio::co_spawn(
          executor,
          run_websocket_session(ctx, shard, std::move(upgrade->socket), std::move(upgrade->request),
                                std::move(upgrade->identity)),
          asio::detached);
    }
  } catch (const std::exception& e) {
    spdlog::error("http session failed: {}", e.what());
  }
}

}  // namespace herald::gateway
