// run_websocket_session(): one WebSocket client (protocol.md section 1) from the
// upgrade to the close, on its shard. The HTTP layer has already checked the
// Origin, the connection cap and any token in the URL or Authorization header.
#pragma once

#include <herald/gateway/channel_rules.hpp>

#include "gateway/http_api.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <optional>

namespace herald::gateway {

struct ServerContext;
class Shard;

/// `identity` is set when the upgrade request carried a valid token (or auth is
/// off); nullopt means the client must send an `auth` frame within auth_timeout.
/// The caller has reserved a connection slot (ServerContext::acquire_connection);
/// this releases it. Never throws.
boost::asio::awaitable<void> run_websocket_session(ServerContext& ctx, Shard& shard,
                                                   boost::asio::ip::tcp::socket socket,
                                                   HttpRequest request,
                                                   std::optional<Identity> identity);

}  // namespace herald::gateway
