// HttpSession: request loop of one connection, admission of real-time upgrades.
#include "gateway/http_session.hpp"

#include "gateway/admin_console.hpp"
#include "gateway/http_api.hpp"
#include "gateway/http_endpoint.hpp"
#include "gateway/log_event.hpp"
#include "gateway/log_throttle.hpp"
#include "gateway/request_arena.hpp"
#include "gateway/request_head.hpp"
#include "gateway/server_context.hpp"
#include "gateway/socketio_route.hpp"
#include "gateway/socketio_session.hpp"
#include "gateway/sse_session.hpp"
#include "gateway/websocket_session.hpp"
#include "proxy/http_proxy.hpp"

#include <herald/protocol/server_frame.hpp>
#include <herald/realtime/engine_error.hpp>

#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
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

// The http_request event of one answered API (or app) request: at debug, so that a
// publish-heavy load costs a level check per request.
template <class Fields>
void log_request(const http::request_header<Fields>& req, HttpEndpoint endpoint,
                 std::string_view path, unsigned status, std::chrono::steady_clock::duration took,
                 const asio::ip::tcp::endpoint& remote, const std::string& channel) {
  LogEvent e(spdlog::level::debug, "http_request");
  if (!e.enabled()) return;
  const std::string peer = remote.address().to_string() + ":" + std::to_string(remote.port());
  e.add("method", std::string_view(req.method_string()))
      .add("endpoint", to_string(endpoint))
      .add("path", path)
      .add("status", status)
      .add("duration_ms", static_cast<std::int64_t>(
                              std::chrono::duration_cast<std::chrono::milliseconds>(took).count()))
      .add("remote", peer)
      .add("auth", req[http::field::authorization].empty() ? "none" : "api_key");
  if (!channel.empty()) e.add("channel", channel);
  e.emit();
}

// The request as the rest of the gateway takes it (std::allocator fields): its head
// copied out of the arena (field names as the client spelled them), its body moved.
HttpRequest plain_request(ArenaRequest&& in) {
  HttpRequest out;
  if (in.method() != http::verb::unknown) {
    out.method(in.method());
  } else {
    out.method_string(in.method_string());
  }
  out.target(in.target());
  out.version(in.version());
  for (const auto& field : in) out.insert(field.name_string(), field.value());
  out.body() = std::move(in.body());
  return out;
}

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
  // The admin console's own connection: its session cookie, same origin (AdminGate).
  std::optional<Identity> admin;
  if (token.empty() && ctx.admin) admin = ctx.admin->realtime_identity(req);
  if (admin) {
    a.identity = std::move(admin);
  } else if (!ctx.access.auth_enabled()) {
    a.identity = Identity{};
  } else if (!token.empty()) {
    a.identity = ctx.access.authenticate(token);
    if (!a.identity) return {401, "invalid or expired token", {}};
  } else if (sse) {
    return {401, "token required", {}};
  }
  if (!ctx.acquire_connection()) {
    shard.metrics().rejected_connections.fetch_add(1, std::memory_order_relaxed);
    static LogThrottle cap_log{std::chrono::seconds(10)};
    if (auto held = cap_log.allow()) {
      spdlog::warn(
          "connection cap of {} reached: refusing an upgrade ({} more since the last line)",
          ctx.options.max_connections, *held);
    }
    return {503, "too many connections", {}};
  }
  return a;
}

// After an answer that ends the connection: the send side closes, then the input is
// read and dropped for a bounded time and amount, so that the peer reads the answer
// instead of a reset (closing with unread input makes the kernel send RST, which can
// discard the answer before the peer read it).
awaitable<void> lingering_close(beast::tcp_stream& stream) {
  constexpr std::size_t max_drain = 1 << 20;
  boost::system::error_code ec;
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ec);
  if (ec) co_return;
  stream.expires_after(std::chrono::seconds(2));
  char scratch[4096];
  std::size_t drained = 0;
  while (drained < max_drain) {
    std::size_t n = co_await stream.async_read_some(asio::buffer(scratch),
                                                    asio::redirect_error(use_awaitable, ec));
    if (ec) break;
    drained += n;
  }
}

// Answers `status` with a JSON error, keep-alive off, then closes lingering.
awaitable<void> refuse(beast::tcp_stream& stream, unsigned version, unsigned status,
                       std::string_view message) {
  HttpRequest head;
  head.version(version == 10 ? 10 : 11);
  auto res = json_error(head, status, message);
  res.keep_alive(false);
  boost::system::error_code ec;
  stream.expires_after(std::chrono::seconds(10));
  co_await http::async_write(stream, res, asio::redirect_error(use_awaitable, ec));
  if (!ec) co_await lingering_close(stream);
}

// Releases the plain-HTTP connection slot when the request loop ends.
struct HttpSlot {
  explicit HttpSlot(ServerContext& c) : ctx(c) {}
  ServerContext& ctx;
  HttpSlot(const HttpSlot&) = delete;
  HttpSlot& operator=(const HttpSlot&) = delete;
  ~HttpSlot() { ctx.http_connections.fetch_sub(1); }
};

LogThrottle http_cap_log{std::chrono::seconds(10)};

// True for the admin console's paths (/admin, /admin/...) under `prefix`.
bool admin_path(std::string_view path, std::string_view prefix) {
  if (!prefix.empty()) {
    if (!path.starts_with(prefix)) return false;
    path.remove_prefix(prefix.size());
  }
  return AdminConsole::owns(path);
}

// What the request loop hands over when a request upgrades to a real-time session.
struct Upgrade {
  asio::ip::tcp::socket socket;
  bool sse = false;
  bool socketio = false;
  HttpRequest request;
  std::optional<Identity> identity;
};

// Serves HTTP requests on `stream` until the connection ends (nullopt) or a request
// is admitted as a WebSocket/SSE upgrade. A separate coroutine so that its parser,
// buffers and API state are freed before the long-lived session starts.
awaitable<std::optional<Upgrade>> serve_requests(ServerContext& ctx, Shard& shard,
                                                 asio::ip::tcp::socket socket,
                                                 asio::ip::tcp::endpoint remote, bool loopback) {
  beast::tcp_stream stream(std::move(socket));
  boost::system::error_code ec;
  // Plain HTTP connections (keep-alive ones idle between requests included) have a cap
  // of their own: descriptors held by idle clients must not starve everything else.
  if (ctx.http_connections.fetch_add(1) >= ctx.options.max_http_connections) {
    ctx.http_connections.fetch_sub(1);
    shard.metrics().rejected_connections.fetch_add(1, std::memory_order_relaxed);
    if (auto suppressed = http_cap_log.allow(); suppressed) {
      spdlog::warn("HTTP connection cap of {} reached: answering 503 ({} more since the last line)",
                   ctx.options.max_http_connections, *suppressed);
    }
    co_await refuse(stream, 11, 503, "too many HTTP connections");
    co_return std::nullopt;
  }
  HttpSlot slot{ctx};
  beast::flat_buffer buffer;
  HttpApi api(ctx, shard);
  RequestArena arena;       // each request's head: no malloc for a common one
  std::string answer_body;  // the publish fast path's answer, storage kept across requests
  std::string answer_wire;
  while (true) {
    arena.reset();  // the last request's parser is gone
    ArenaRequestParser parser(std::piecewise_construct, std::make_tuple(),
                              std::make_tuple(RequestAllocator<char>(arena)));
    parser.body_limit(ctx.options.max_http_body);
    parser.header_limit(static_cast<std::uint32_t>(
        std::min<std::size_t>(ctx.options.max_header_bytes, UINT32_MAX)));
    stream.expires_after(ctx.options.header_timeout);  // idle keep-alive connections go
    co_await http::async_read_header(stream, buffer, parser,
                                     asio::redirect_error(use_awaitable, ec));
    if (!ec) {
      HeadVerdict verdict = check_request_head(parser.get().base());
      if (verdict.status != 0) {
        co_await refuse(stream, parser.get().version(), verdict.status, verdict.message);
        co_return std::nullopt;
      }
    }
    if (!ec && !parser.is_done()) {
      // curl and others wait (1 s) for "100 Continue" before sending a large body.
      if (beast::iequals(parser.get()[http::field::expect], "100-continue")) {
        http::response<http::empty_body> go_on{http::status::continue_, parser.get().version()};
        co_await http::async_write(stream, go_on, asio::redirect_error(use_awaitable, ec));
      }
      if (!ec)
        co_await http::async_read(stream, buffer, parser, asio::redirect_error(use_awaitable, ec));
    }
    if (ec) {
      // A request the parser refused gets an answer (431, 414, 413, 400), not a reset.
      std::string_view unparsed(static_cast<const char*>(buffer.data().data()), buffer.size());
      HeadVerdict answer = parse_error_answer(ec, unparsed, ctx.options.max_header_bytes,
                                              !parser.get().target().empty());
      if (answer.status != 0) {
        unsigned version = parser.is_header_done() ? parser.get().version() : 11;
        co_await refuse(stream, version, answer.status, answer.message);
      }
      co_return std::nullopt;
    }
    ArenaRequest& head = parser.get();
    std::string_view target = head.target();
    std::string_view path = target.substr(0, target.find('?'));
    // Herald's own routes (under GatewayOptions::route_prefix when set: the target is
    // rewritten to the bare route, so everything past here sees /ws, /api/publish...).
    const std::string& prefix = ctx.options.route_prefix;
    const bool own =
        HttpApi::own_path(path, prefix).has_value() || (ctx.admin && admin_path(path, prefix));
    if (own && !prefix.empty()) {
      head.target(std::string(target.substr(prefix.size())));
      target = head.target();
      path = target.substr(0, target.find('?'));
    }
    auto started = std::chrono::steady_clock::now();
    std::optional<protocol::PublishItem> direct =
        own ? api.direct_publish(head.method(), target, head[http::field::authorization],
                                 head.body(), loopback)
            : std::nullopt;
    if (direct) {
      // The common publish: no handle() frame, no request copy; on success an HTTP/1.1
      // keep-alive answer is written from bytes built here (no response object or
      // serializer). The memory engine answers at once (no coroutine frame).
      realtime::Result<realtime::StreamPosition> r = realtime::StreamPosition{};
      if (api.publishes_now()) {
        r = api.publish_now(*direct);
      } else {
        r = co_await api.publish_later(std::move(*direct));
      }
      const unsigned status = r ? 200U : static_cast<unsigned>(realtime::wire_code(r.error()));
      const auto took = std::chrono::steady_clock::now() - started;
      shard.metrics().observe_http(HttpEndpoint::publish, status, took);
      log_request(head, HttpEndpoint::publish, path, status, took, remote, api.logged_channel());
      if (r && head.version() == 11 && head.keep_alive() && !ctx.stopping.load()) {
        answer_body.clear();
        protocol::append_position(answer_body, *r);
        answer_wire.clear();
        append_json_ok(answer_wire, answer_body);
        co_await asio::async_write(stream, asio::buffer(answer_wire),
                                   asio::redirect_error(use_awaitable, ec));
        if (ec) break;
        continue;
      }
      const HttpRequest plain = plain_request(parser.release());
      HttpResponse res = r ? json_response(plain, protocol::encode_position(*r))
                           : json_error(plain, status, r.error().message());
      if (ctx.stopping.load()) res.keep_alive(false);
      co_await http::async_write(stream, res, asio::redirect_error(use_awaitable, ec));
      if (ec || !res.keep_alive()) break;
      continue;
    }
    HttpRequest req = plain_request(parser.release());
    target = req.target();
    path = target.substr(0, target.find('?'));
    if (own && (path == "/ws" || path == "/sse")) {
      bool sse = path == "/sse";
      Admission a;
      if (!sse && !beast::websocket::is_upgrade(req)) {
        a = {426, "WebSocket upgrade required", {}};
      } else if (!sse && !valid_websocket_key(req[http::field::sec_websocket_key])) {
        a = {400, "invalid Sec-WebSocket-Key", {}};
      } else {
        a = admit(ctx, shard, req, sse);
      }
      if (a.status == 0) {
        stream.expires_never();
        co_return Upgrade{stream.release_socket(), sse, false, std::move(req),
                          std::move(a.identity)};
      }
      LogEvent refused(spdlog::level::debug, "connection_refused");
      if (refused.enabled()) {
        const std::string peer = remote.address().to_string() + ":" + std::to_string(remote.port());
        refused.add("transport", sse ? "sse" : "ws")
            .add("status", a.status)
            .add("reason", a.message)
            .add("remote", peer)
            .emit();
      }
      auto res = json_error(req, a.status, a.message);
      co_await http::async_write(stream, res, asio::redirect_error(use_awaitable, ec));
      if (ec || !res.keep_alive()) co_return std::nullopt;
      continue;
    }
    if (own && path == "/socket.io/") {
      // Engine.IO: the WebSocket transport upgrades here; everything else is answered
      // as the reference server does (engine.io's error codes).
      if (req.method() == http::verb::options) {  // CORS preflight (polling with extraHeaders)
        HttpResponse res = engineio_preflight(ctx, req);
        co_await http::async_write(stream, res, asio::redirect_error(use_awaitable, ec));
        if (ec || !res.keep_alive()) co_return std::nullopt;
        continue;
      }
      EngineIoRequest eio = classify_engineio_request(req);
      // As engine.io checks: version, transport, then the sid, then the rest.
      const bool known_transport =
          !eio.error || (*eio.error != EngineIoError::unknown_transport &&
                         *eio.error != EngineIoError::unsupported_protocol_version);
      if (known_transport && !eio.sid.empty() && ctx.socketio_sessions.find(eio.sid) == nullptr)
        eio.error = EngineIoError::unknown_sid;
      const bool websocket = eio.transport == "websocket";
      Admission a;
      if (eio.error) {
        a.status = 400;
      } else if (!eio.sid.empty()) {  // a session's request: its origin still counts
        if (!ctx.access.origin_allowed(req[http::field::origin], req[http::field::host]))
          a = {403, "origin not allowed", {}};
      } else {
        a = admit(ctx, shard, req, false);
      }
      if (a.status == 0 && websocket) {
        stream.expires_never();
        if (!eio.sid.empty()) {
          if (ctx.socketio_sessions.find(eio.sid) == nullptr) {
            eio.error = EngineIoError::unknown_sid;
          } else {
            asio::co_spawn(stream.get_executor(),
                           run_socketio_upgrade(ctx, stream.release_socket(), std::move(req),
                                                std::move(eio.sid)),
                           asio::detached);
            co_return std::nullopt;
          }
        } else {
          co_return Upgrade{stream.release_socket(), false, true, std::move(req),
                            std::move(a.identity)};
        }
      }
      HttpResponse res;
      if (eio.error) {
        res = engineio_error(req, *eio.error);
      } else if (a.status != 0) {
        res = json_error(req, a.status, a.message);
      } else {
        stream.expires_never();  // a GET waits up to a ping interval for packets
        res = co_await answer_polling(ctx, shard, req, eio, std::move(a.identity));
      }
      add_cors_headers(ctx, req, res);
      co_await http::async_write(stream, res, asio::redirect_error(use_awaitable, ec));
      if (ec || !res.keep_alive()) co_return std::nullopt;
      continue;
    }
    if (ctx.options.proxy != nullptr && !own) {  // the upstream's
      if (beast::websocket::is_upgrade(req)) {   // the app's own WebSocket: relayed
        co_await ctx.options.proxy->tunnel(stream, buffer, req);
        co_return std::nullopt;
      }
      const bool api = ctx.access.api_allowed(req[http::field::authorization], loopback);
      if (!co_await ctx.options.proxy->serve(stream, req, api) || ctx.stopping.load()) break;
      continue;
    }
    started = std::chrono::steady_clock::now();
    HttpResponse res;
    if (own && ctx.admin && AdminConsole::owns(path)) {
      res = co_await AdminConsole(ctx, api).handle(req, remote.address().to_string());
    } else if (own) {
      res = co_await api.handle(req, loopback);
    } else {
      res = co_await api.app(req);
    }
    const auto took = std::chrono::steady_clock::now() - started;
    const HttpEndpoint endpoint = http_endpoint_of(path, own);
    shard.metrics().observe_http(endpoint, res.result_int(), took);
    log_request(req, endpoint, path, res.result_int(), took, remote, api.logged_channel());
    if (ctx.stopping.load()) res.keep_alive(false);
    if (req.method() == http::verb::head) {  // the head of the GET answer, no body
      std::size_t length = res.body().size();
      res.body().clear();
      res.content_length(length);
    }
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
        co_await serve_requests(ctx, shard, std::move(socket), remote, loopback);
    if (!upgrade) co_return;
    // Spawned rather than awaited: this frame (and its caller's) would otherwise stay
    // allocated for the connection's whole life.
    if (ctx.options.send_buffer_bytes != 0) {
      // Backlog stays in the send queue, where it is counted (GatewayOptions).
      boost::system::error_code ignored;
      upgrade->socket.set_option(
          asio::socket_base::send_buffer_size(
              static_cast<int>(std::min<std::size_t>(ctx.options.send_buffer_bytes, INT32_MAX))),
          ignored);
    }
    auto executor = upgrade->socket.get_executor();
    if (upgrade->socketio) {
      asio::co_spawn(
          executor,
          run_socketio_session(ctx, shard, std::move(upgrade->socket), std::move(upgrade->request),
                               std::move(upgrade->identity)),
          asio::detached);
    } else if (upgrade->sse) {
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
