// libFuzzer target: the Engine.IO packet/payload decoders and the Socket.IO packet
// decoder with arbitrary bytes (what any client may send on /socket.io/). Decoding
// must never crash, hang or read out of bounds; a decoded event re-encodes.
#include "gateway/socketio/engineio_packet.hpp"
#include "gateway/socketio/socketio_packet.hpp"

#include <boost/json/serialize.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace herald::gateway::socketio;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)decode_engineio_payload(text, 64);
  auto packet = decode_engineio_packet(text);
  if (!packet || packet->type != EngineIoType::message) return 0;
  SocketIoDecoded decoded = decode_socketio_packet(packet->data);
  if (decoded.packet && decoded.packet->type == SocketIoType::event) {
    const auto& args = decoded.packet->data.as_array();
    std::string frame = encode_event_frame(args.front().as_string(), boost::json::serialize(args));
    if (!decode_socketio_packet(std::string_view(frame).substr(1)).packet) __builtin_trap();
  }
  return 0;
}
