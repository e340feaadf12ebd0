// Client -> server frames of the WebSocket protocol (protocol.md section 1), parsed
// into typed structs by parse_client_frame(). Sans-io: no sockets, Boost.JSON only.
//
// `data` of a publish is kept as the publisher's raw JSON text (validated, not
// re-serialised), so it reaches subscribers byte for byte as it was sent.
#pragma once

#include <herald/protocol/protocol_error.hpp>
#include <herald/protocol/stream_position.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace herald::protocol {

/// `subscribe` and its alias `join_room` (room = channel).
struct SubscribeFrame {
  std::string channel;
  std::optional<StreamPosition> since;  ///< recovery request
};
/// `unsubscribe` and its alias `leave_room`.
struct UnsubscribeFrame {
  std::string channel;
};
struct PublishFrame {
  std::string channel;
  std::string data;  ///< raw JSON text of `data`, untouched
  /// Publication::event (Socket.IO's `emit("publish",{...,event})` only; "" = default).
  std::string event = {};
};
struct PresenceFrame {
  std::string channel;
};
struct HistoryFrame {
  /// Default and maximum `limit` (protocol.md section 6).
  static constexpr std::size_t default_limit = 100;
  static constexpr std::size_t max_limit = 1000;
  std::string channel;
  std::optional<StreamPosition> since;
  std::size_t limit = default_limit;  ///< clamped to max_limit
};
struct PingFrame {};
struct AuthFrame {
  std::string token;
};

using ClientCommand = std::variant<SubscribeFrame, UnsubscribeFrame, PublishFrame, PresenceFrame,
                                   HistoryFrame, PingFrame, AuthFrame>;

/// A parsed frame, or why it was rejected. `id` is set whenever the frame carried a
/// valid integer id, even when another field was bad, so the error can echo it.
struct ParsedFrame {
  std::optional<std::int64_t> id;
  std::optional<ClientCommand> command;  ///< set iff !error
  std::optional<ProtocolError> error;
  std::string message;  ///< human-readable reason when error is set

  bool ok() const noexcept { return !error.has_value(); }
};

/// Parses one WebSocket text frame. Never throws. Cost: one Boost.JSON parse into a
/// stack-backed monotonic buffer plus a scan of the text to slice out raw `data`.
ParsedFrame parse_client_frame(std::string_view text);

/// The wire name of a command ("subscribe", "publish", ...), for logs and metrics.
std::string_view command_name(const ClientCommand& command) noexcept;

}  // namespace herald::protocol
