// DisconnectReason: why a real-time connection ended, from a small fixed set: the
// `reason` label of herald_disconnects_total and the `reason` field of the
// connection_close log event (docs/operations.md "Metrics", "Logs").
//
// Sans-io, any thread. classify_close() maps the close a server side decided (code
// and text of Connection::close) onto the set; the transports name the rest (the
// peer closed, a timeout, a control-frame flood).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace herald::gateway {

enum class DisconnectReason : std::uint8_t {
  client,              ///< the peer closed or went away (TCP reset, EOF, close frame)
  timeout,             ///< no answer to pings, or a close handshake that never completed
  server_shutdown,     ///< 3001: the node is draining
  slow_consumer,       ///< 3008, or unread control frames (pongs) over the limit
  token_expired,       ///< 4001 "token expired"
  auth,                ///< 4001 otherwise: bad token, no auth / CONNECT in time
  rate_limit,          ///< 1008: kept exceeding client_rate_limit
  protocol_error,      ///< 1002, 1003, 1009: malformed, binary or oversized frames
  api_disconnect,      ///< 4003: POST /api/disconnect
  insufficient_state,  ///< 3010: the engine lost publications of a subscribed channel
  server_error,        ///< 1011 and any other server-side close
};

inline constexpr std::size_t disconnect_reason_count = 11;

/// The label / field value of each reason, in enum order.
inline constexpr std::array<std::string_view, disconnect_reason_count> disconnect_reason_names{
    "client",      "timeout",    "server_shutdown", "slow_consumer",  "token_expired",
    "auth",        "rate_limit", "protocol_error",  "api_disconnect", "insufficient_state",
    "server_error"};

constexpr std::string_view to_string(DisconnectReason r) noexcept {
  return disconnect_reason_names[static_cast<std::size_t>(r)];
}

/// The reason of a server-side close(code, text). Cost: a switch.
constexpr DisconnectReason classify_close(int code, std::string_view text) noexcept {
  switch (code) {
    case 1000:
      return DisconnectReason::client;  // Socket.IO: the client asked (engine.io close)
    case 3001:
      return DisconnectReason::server_shutdown;
    case 3008:
      return DisconnectReason::slow_consumer;
    case 3010:
      return DisconnectReason::insufficient_state;
    case 4001:
      return text == "token expired" ? DisconnectReason::token_expired : DisconnectReason::auth;
    case 4003:
      return DisconnectReason::api_disconnect;
    case 1008:
      return DisconnectReason::rate_limit;
    case 1002:
    case 1003:
    case 1009:
      return DisconnectReason::protocol_error;
    default:
      return DisconnectReason::server_error;
  }
}

}  // namespace herald::gateway
