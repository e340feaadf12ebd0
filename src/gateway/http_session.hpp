// run_http_session(): one accepted TCP connection: HTTP/1.1 keep-alive requests to
// the HttpApi, or an upgrade to WebSocket (/ws) or SSE (/sse) after the admission
// checks (shutdown, Origin, token, connection cap).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace herald::gateway {

struct ServerContext;
class Shard;

/// Runs on `shard`'s thread until the connection ends. Never throws.
boost::asio::awaitable<void> run_http_session(ServerContext& ctx, Shard& shard,
                                              boost::asio::ip::tcp::socket socket);

}  // namespace herald::gateway
