// Engine.IO v4 packet codec (see engineio_packet.hpp).
#include "gateway/socketio/engineio_packet.hpp"

#include <herald/protocol/server_frame.hpp>

namespace herald::gateway::socketio {

std::optional<EngineIoPacket> decode_engineio_packet(std::string_view text) {
  if (text.empty()) return std::nullopt;
  EngineIoPacket p;
  if (text.front() == 'b') {
    p.type = EngineIoType::message;
    p.binary = true;
    p.data = text.substr(1);
    return p;
  }
  if (text.front() < '0' || text.front() > '6') return std::nullopt;
  p.type = static_cast<EngineIoType>(text.front());
  p.data = text.substr(1);
  return p;
}

std::optional<std::vector<EngineIoPacket>> decode_engineio_payload(std::string_view body,
                                                                   std::size_t max_packets) {
  std::vector<EngineIoPacket> out;
  while (true) {
    std::size_t sep = body.find(record_separator);
    auto packet = decode_engineio_packet(body.substr(0, sep));
    if (!packet || out.size() >= max_packets) return std::nullopt;
    out.push_back(*packet);
    if (sep == std::string_view::npos) break;
    body.remove_prefix(sep + 1);
  }
  return out;
}

std::string encode_engineio_open(const EngineIoOpen& open) {
  std::string out = R"(0{"sid":)";
  protocol::append_json_string(out, open.sid);
  out += open.websocket_upgrade ? R"(,"upgrades":["websocket"])" : R"(,"upgrades":[])";
  out += R"(,"pingInterval":)" + std::to_string(open.ping_interval_ms);
  out += R"(,"pingTimeout":)" + std::to_string(open.ping_timeout_ms);
  out += R"(,"maxPayload":)" + std::to_string(open.max_payload);
  out += '}';
  return out;
}

void append_to_payload(std::string& payload, std::string_view packet) {
  if (!payload.empty()) payload += record_separator;
  payload += packet;
}

}  // namespace herald::gateway::socketio
