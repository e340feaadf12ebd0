// The `/socket.io/` route's request checks and answers: which Engine.IO request a
// request is (protocol version, transport, session id), the reference server's error
// answers (HTTP 400, {"code":N,"message":"..."} with engine.io's codes) and the CORS
// headers granted to origins Herald's Origin rules allow. Stateless, any thread.
#pragma once

#include "gateway/http_api.hpp"

#include <optional>
#include <string>

namespace herald::gateway {

struct ServerContext;

/// engine.io's error codes (lib/server.ts `Server.errors`).
enum class EngineIoError : int {
  unknown_transport = 0,
  unknown_sid = 1,
  bad_handshake_method = 2,
  bad_request = 3,
  forbidden = 4,
  unsupported_protocol_version = 5,
};

struct EngineIoRequest {
  std::optional<EngineIoError> error;  ///< set: answer engineio_error()
  std::string transport;               ///< "websocket" or "polling"
  std::string sid;                     ///< empty: a handshake
};

/// Checks `EIO=4`, `transport` and, for WebSocket, the upgrade headers. Sessions over
/// polling are not served: a polling request, or a WebSocket upgrade of a polling
/// session (`sid`), gets the reference server's answer for an unknown transport / sid.
EngineIoRequest classify_engineio_request(const HttpRequest& req);

/// HTTP 400 with `{"code":N,"message":"<engine.io's message>"}`.
HttpResponse engineio_error(const HttpRequest& req, EngineIoError error);

/// Access-Control-Allow-Origin (the request's Origin) and -Credentials when the
/// request has an Origin the access policy allows.
void add_cors_headers(const ServerContext& ctx, const HttpRequest& req, HttpResponse& res);

}  // namespace herald::gateway
