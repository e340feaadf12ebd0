// The `/socket.io/` route's request checks and answers: which Engine.IO request a
// request is (protocol version, transport, session id), the reference server's error
// answers (HTTP 400, {"code":N,"message":"..."} with engine.io's codes) and the CORS
// headers granted to origins Herald's Origin rules allow. Stateless, any thread.
#pragma once

#include <herald/gateway/channel_rules.hpp>

#include "gateway/http_api.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <optional>
#include <string>

namespace herald::gateway {

struct ServerContext;
class Shard;

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

/// Checks `EIO=4`, `transport` (websocket or polling) and, for WebSocket, the method
/// and upgrade headers; polling handshakes must be GETs.
EngineIoRequest classify_engineio_request(const HttpRequest& req);

/// A polling request: the handshake (new session on `shard`, answer = open packet;
/// `identity` is the admitted one, the caller reserved a connection slot), a GET (the
/// session's queued packets, waiting for some) or a POST (the client's packets) of an
/// existing session, on that session's shard. Unknown sid: engine.io's answer.
boost::asio::awaitable<HttpResponse> answer_polling(ServerContext& ctx, Shard& shard,
                                                    const HttpRequest& req,
                                                    const EngineIoRequest& eio,
                                                    std::optional<Identity> identity);

/// The WebSocket upgrade of polling session `sid`: moves the socket to the session's
/// shard and runs SocketIoSession::upgrade there. Never throws.
boost::asio::awaitable<void> run_socketio_upgrade(ServerContext& ctx,
                                                  boost::asio::ip::tcp::socket socket,
                                                  HttpRequest request, std::string sid);

/// HTTP 400 with `{"code":N,"message":"<engine.io's message>"}`.
HttpResponse engineio_error(const HttpRequest& req, EngineIoError error);

/// The answer to a CORS preflight (OPTIONS): 204 with the allowed methods and the
/// requested headers for an Origin the access policy allows, else 403.
HttpResponse engineio_preflight(const ServerContext& ctx, const HttpRequest& req);

/// Access-Control-Allow-Origin (the request's Origin) and -Credentials when the
/// request has an Origin the access policy allows.
void add_cors_headers(const ServerContext& ctx, const HttpRequest& req, HttpResponse& res);

}  // namespace herald::gateway
