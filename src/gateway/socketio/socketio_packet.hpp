// Socket.IO v5 packets (inside Engine.IO `message` packets):
// `<type>[<attachments>-][<nsp>,][<ack id>][<json>]`. Decoding checks the payload
// shape per type the way socket.io-parser does (CONNECT: object or none, EVENT: a
// non-empty array starting with the event name, ACK: an array with an id, ...);
// encoders produce whole Engine.IO message packets ("4" + the Socket.IO packet).
// Sans-io, stateless, any thread. Cost: one JSON parse of the payload.
#pragma once

#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace herald::gateway::socketio {

enum class SocketIoType : std::uint8_t {
  connect = 0,
  disconnect = 1,
  event = 2,
  ack = 3,
  connect_error = 4,
  binary_event = 5,
  binary_ack = 6,
};

struct SocketIoPacket {
  SocketIoType type = SocketIoType::event;
  std::string nsp = "/";
  std::optional<std::uint64_t> id;  ///< ack id
  std::size_t attachments = 0;      ///< binary packets only
  boost::json::value data;          ///< null when the packet has no payload
};

/// A packet, or why it was refused (error non-empty, packet nullopt).
struct SocketIoDecoded {
  std::optional<SocketIoPacket> packet;
  std::string error;
};

/// Decodes the Socket.IO packet carried by one Engine.IO `message` packet's data.
/// Binary packets (types 5 and 6) decode, with their placeholders, so that the
/// caller can refuse them by type.
SocketIoDecoded decode_socketio_packet(std::string_view text);

/// `40{"sid":...[,"pid":...]}` (namespace "/" only).
std::string encode_connect_frame(std::string_view sid, std::string_view pid);
/// `44[<nsp>,]{"message":...}`.
std::string encode_connect_error_frame(std::string_view nsp, std::string_view message);
/// `41`: the server leaves the main namespace (the client does not reconnect).
std::string encode_disconnect_frame();
/// `42["<event>",<data_json>]`, or with `offset` (recovery): `42["<event>",<data>,"<offset>"]`.
/// `data_json` must be valid JSON.
std::string encode_event_frame(std::string_view event, std::string_view data_json,
                               std::string_view offset = {});
/// `43<id>[<args_json>]`: `args_json` is the array's content (valid JSON values
/// joined by commas).
std::string encode_ack_frame(std::uint64_t id, std::string_view args_json);

}  // namespace herald::gateway::socketio
