// The `/socket.io/` route's checks and error answers (see socketio_route.hpp).
#include "gateway/socketio_route.hpp"

#include "gateway/request_head.hpp"
#include "gateway/server_context.hpp"
#include "gateway/socketio_session.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/url/parse.hpp>

namespace herald::gateway {

namespace http = boost::beast::http;

EngineIoRequest classify_engineio_request(const HttpRequest& req) {
  EngineIoRequest out;
  std::string eio;
  if (auto url = boost::urls::parse_origin_form(req.target())) {
    for (auto param : url->params()) {
      if (param.key == "EIO") eio = param.value;
      if (param.key == "transport") out.transport = param.value;
      if (param.key == "sid") out.sid = param.value;
    }
  }
  const bool websocket = out.transport == "websocket";
  if (eio != "4") {
    out.error = EngineIoError::unsupported_protocol_version;
  } else if (!websocket && out.transport != "polling") {
    out.error = EngineIoError::unknown_transport;
  } else if ((websocket || out.sid.empty()) && req.method() != http::verb::get) {
    out.error = EngineIoError::bad_handshake_method;
  } else if (!out.sid.empty() && !websocket && req.method() != http::verb::post &&
             req.method() != http::verb::get) {
    out.error = EngineIoError::bad_request;
  } else if (websocket && (!boost::beast::websocket::is_upgrade(req) ||
                           !valid_websocket_key(req[http::field::sec_websocket_key]))) {
    out.error = EngineIoError::bad_request;
  }
  return out;
}

HttpResponse engineio_error(const HttpRequest& req, EngineIoError error) {
  std::string_view message;
  switch (error) {
    case EngineIoError::unknown_transport:
      message = "Transport unknown";
      break;
    case EngineIoError::unknown_sid:
      message = "Session ID unknown";
      break;
    case EngineIoError::bad_handshake_method:
      message = "Bad handshake method";
      break;
    case EngineIoError::bad_request:
      message = "Bad request";
      break;
    case EngineIoError::forbidden:
      message = "Forbidden";
      break;
    case EngineIoError::unsupported_protocol_version:
      message = "Unsupported protocol version";
      break;
  }
  std::string body = R"({"code":)" + std::to_string(static_cast<int>(error)) + R"(,"message":")";
  body += message;
  body += "\"}";
  return json_response(req, std::move(body), 400);
}

namespace {

HttpResponse text_response(const HttpRequest& req, std::string body) {
  HttpResponse res{http::status::ok, req.version()};
  res.set(http::field::server, "herald");
  res.set(http::field::content_type, "text/plain; charset=UTF-8");
  res.set(http::field::cache_control, "no-store");
  res.keep_alive(req.keep_alive());
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

}  // namespace

boost::asio::awaitable<HttpResponse> answer_polling(ServerContext& ctx, Shard& shard,
                                                    const HttpRequest& req,
                                                    const EngineIoRequest& eio,
                                                    std::optional<Identity> identity) {
  namespace asio = boost::asio;
  if (eio.sid.empty()) {
    auto session = std::make_shared<SocketIoSession>(ctx, shard, std::nullopt, std::move(identity));
    co_return text_response(req, session->start());
  }
  std::shared_ptr<SocketIoSession> session = ctx.socketio_sessions.find(eio.sid);
  if (!session) co_return engineio_error(req, EngineIoError::unknown_sid);
  auto executor = session->shard().context().get_executor();
  if (req.method() == http::verb::get) {
    std::optional<std::string> payload =
        co_await asio::co_spawn(executor, session->poll(), asio::use_awaitable);
    if (!payload) co_return engineio_error(req, EngineIoError::bad_request);
    co_return text_response(req, std::move(*payload));
  }
  bool ok = co_await asio::co_spawn(executor, session->post(req.body()), asio::use_awaitable);
  if (!ok) co_return engineio_error(req, EngineIoError::bad_request);
  co_return text_response(req, "ok");
}

boost::asio::awaitable<void> run_socketio_upgrade(ServerContext& ctx,
                                                  boost::asio::ip::tcp::socket socket,
                                                  HttpRequest request, std::string sid) {
  namespace asio = boost::asio;
  try {
    std::shared_ptr<SocketIoSession> session = ctx.socketio_sessions.find(sid);
    if (!session) co_return;  // ended since the route looked: the socket closes
    Shard& shard = session->shard();
    ws::Socket moved = ws::rehome(shard.context(), std::move(socket));
    asio::co_spawn(shard.context(), session->upgrade(std::move(moved), std::move(request)),
                   asio::detached);
  } catch (const std::exception& e) {
    spdlog::error("socket.io upgrade failed: {}", e.what());
  }
}

HttpResponse engineio_preflight(const ServerContext& ctx, const HttpRequest& req) {
  std::string_view origin = req[http::field::origin];
  if (origin.empty() || !ctx.access.origin_allowed(origin, req[http::field::host]))
    return json_error(req, 403, "origin not allowed");
  HttpResponse res{http::status::no_content, req.version()};
  res.set(http::field::server, "herald");
  res.keep_alive(req.keep_alive());
  add_cors_headers(ctx, req, res);
  res.set(http::field::access_control_allow_methods, "GET, POST");
  std::string_view headers = req[http::field::access_control_request_headers];
  if (!headers.empty()) res.set(http::field::access_control_allow_headers, headers);
  res.set(http::field::access_control_max_age, "600");
  res.prepare_payload();
  return res;
}

void add_cors_headers(const ServerContext& ctx, const HttpRequest& req, HttpResponse& res) {
  std::string_view origin = req[http::field::origin];
  if (origin.empty() || !ctx.access.origin_allowed(origin, req[http::field::host])) return;
  res.set(http::field::access_control_allow_origin, origin);
  res.set(http::field::access_control_allow_credentials, "true");
  res.set(http::field::vary, "Origin");
}

}  // namespace herald::gateway
