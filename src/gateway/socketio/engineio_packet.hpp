// Engine.IO v4 packets (the transport layer under Socket.IO): decoding one packet from
// a WebSocket text message or a polling record, splitting a polling payload on the
// record separator, and encoding the packets the server sends. Sans-io, stateless,
// any thread. Cost: linear in the input, no allocation when decoding.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace herald::gateway::socketio {

enum class EngineIoType : char {
  open = '0',
  close = '1',
  ping = '2',
  pong = '3',
  message = '4',
  upgrade = '5',
  noop = '6',
};

/// One decoded packet. `data` points into the decoded text.
struct EngineIoPacket {
  EngineIoType type = EngineIoType::noop;
  std::string_view data;
  /// A polling record starting with 'b' (base64 binary message): Herald refuses them.
  bool binary = false;
};

/// The record separator joining packets in a polling payload.
inline constexpr char record_separator = '\x1e';

/// One text packet: a type digit 0-6 then its data. nullopt for an empty text or an
/// unknown type.
std::optional<EngineIoPacket> decode_engineio_packet(std::string_view text);

/// A polling POST body: packets separated by \x1e. nullopt if any record is malformed
/// or there are more than `max_packets`.
std::optional<std::vector<EngineIoPacket>> decode_engineio_payload(std::string_view body,
                                                                   std::size_t max_packets);

/// What the handshake announces.
struct EngineIoOpen {
  std::string sid;
  bool websocket_upgrade = true;  ///< "upgrades":["websocket"] (polling handshake only)
  std::uint64_t ping_interval_ms = 25000;
  std::uint64_t ping_timeout_ms = 20000;
  std::uint64_t max_payload = 1000000;
};

/// `0{"sid":...,"upgrades":[...],"pingInterval":N,"pingTimeout":N,"maxPayload":N}`.
std::string encode_engineio_open(const EngineIoOpen& open);

/// Appends `packet` to a polling payload being built (separator first if not empty).
void append_to_payload(std::string& payload, std::string_view packet);

}  // namespace herald::gateway::socketio
