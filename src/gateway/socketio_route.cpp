// The `/socket.io/` route's checks and error answers (see socketio_route.hpp).
#include "gateway/socketio_route.hpp"

#include "gateway/request_head.hpp"
#include "gateway/server_context.hpp"

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
  if (eio != "4") {
    out.error = EngineIoError::unsupported_protocol_version;
  } else if (out.transport != "websocket") {
    out.error = EngineIoError::unknown_transport;
  } else if (!out.sid.empty()) {
    out.error = EngineIoError::unknown_sid;
  } else if (req.method() != http::verb::get) {
    out.error = EngineIoError::bad_handshake_method;
  } else if (!boost::beast::websocket::is_upgrade(req) ||
             !valid_websocket_key(req[http::field::sec_websocket_key])) {
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

void add_cors_headers(const ServerContext& ctx, const HttpRequest& req, HttpResponse& res) {
  std::string_view origin = req[http::field::origin];
  if (origin.empty() || !ctx.access.origin_allowed(origin, req[http::field::host])) return;
  res.set(http::field::access_control_allow_origin, origin);
  res.set(http::field::access_control_allow_credentials, "true");
  res.set(http::field::vary, "Origin");
}

}  // namespace herald::gateway
