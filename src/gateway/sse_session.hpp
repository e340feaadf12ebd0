// run_sse_session(): one Server-Sent Events client (protocol.md section 3):
// GET /sse?channel=a&channel=b, recovery from Last-Event-ID or ?since=, one event per
// publication with `id: <channel>:<epoch>:<offset>` and the WebSocket message frame
// as `data:`. The HTTP layer has checked Origin, token and the connection cap.
#pragma once

#include <herald/gateway/channel_rules.hpp>
#include <herald/protocol/stream_position.hpp>

#include "gateway/http_api.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace herald::gateway {

struct ServerContext;
class Shard;

/// Parses a Last-Event-ID / ?since= value: comma-separated `<channel>:<epoch>:<offset>`
/// ids, each read from the right (channel names may contain ':'). Malformed ids are
/// skipped. Cost: O(length).
std::map<std::string, protocol::StreamPosition> parse_sse_positions(std::string_view value);

/// Streams events until the client goes away or the server closes it. Answers 400
/// (no or bad channel) or 403 (a channel the identity may not subscribe to) instead
/// of streaming. Releases the connection slot the caller reserved. Never throws.
boost::asio::awaitable<void> run_sse_session(ServerContext& ctx, Shard& shard,
                                             boost::asio::ip::tcp::socket socket,
                                             HttpRequest request, Identity identity);

}  // namespace herald::gateway
