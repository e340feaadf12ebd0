// Socket.IO v5 packet codec (see socketio_packet.hpp).
#include "gateway/socketio/socketio_packet.hpp"

#include <herald/protocol/server_frame.hpp>

#include <boost/json/parse.hpp>

namespace herald::gateway::socketio {
namespace {

// Ack ids and attachment counts: at most 2^53 (a JavaScript integer).
constexpr std::uint64_t max_integer = 9007199254740992ULL;

bool read_number(std::string_view& text, std::uint64_t& out) {
  std::size_t n = 0;
  out = 0;
  while (n < text.size() && text[n] >= '0' && text[n] <= '9') {
    out = out * 10 + static_cast<std::uint64_t>(text[n] - '0');
    if (out > max_integer) return false;
    ++n;
  }
  text.remove_prefix(n);
  return n > 0;
}

SocketIoDecoded refuse(std::string message) {
  return SocketIoDecoded{std::nullopt, std::move(message)};
}

}  // namespace

SocketIoDecoded decode_socketio_packet(std::string_view text) {
  if (text.empty()) return refuse("empty packet");
  if (text.front() < '0' || text.front() > '6') return refuse("unknown packet type");
  SocketIoPacket p;
  p.type = static_cast<SocketIoType>(text.front() - '0');
  text.remove_prefix(1);
  const bool binary = p.type == SocketIoType::binary_event || p.type == SocketIoType::binary_ack;
  if (binary) {
    std::uint64_t count = 0;
    if (!read_number(text, count) || text.empty() || text.front() != '-')
      return refuse("illegal attachments");
    p.attachments = static_cast<std::size_t>(count);
    text.remove_prefix(1);
  }
  if (!text.empty() && text.front() == '/') {
    std::size_t comma = text.find(',');
    p.nsp = std::string(text.substr(0, comma));
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
  }
  if (!text.empty() && text.front() >= '0' && text.front() <= '9') {
    std::uint64_t id = 0;
    if (!read_number(text, id)) return refuse("ack id too large");
    p.id = id;
  }
  bool has_data = !text.empty();
  if (has_data) {
    boost::system::error_code ec;
    p.data = boost::json::parse(text, ec);
    if (ec) return refuse("invalid payload");
  }
  bool valid = false;
  switch (p.type) {
    case SocketIoType::connect:
      valid = !has_data || p.data.is_object();
      break;
    case SocketIoType::disconnect:
      valid = !has_data;
      break;
    case SocketIoType::connect_error:
      valid = p.data.is_object() || p.data.is_string();
      break;
    case SocketIoType::event:
    case SocketIoType::binary_event:
      valid = p.data.is_array() && !p.data.get_array().empty() &&
              p.data.get_array().front().is_string();
      break;
    case SocketIoType::ack:
    case SocketIoType::binary_ack:
      valid = p.id.has_value() && p.data.is_array();
      break;
  }
  if (!valid) return refuse("invalid payload");
  return SocketIoDecoded{std::move(p), {}};
}

std::string encode_connect_frame(std::string_view sid, std::string_view pid) {
  std::string out = R"(40{"sid":)";
  protocol::append_json_string(out, sid);
  if (!pid.empty()) {
    out += R"(,"pid":)";
    protocol::append_json_string(out, pid);
  }
  out += '}';
  return out;
}

std::string encode_connect_error_frame(std::string_view nsp, std::string_view message) {
  std::string out = "44";
  if (!nsp.empty() && nsp != "/") {
    out += nsp;
    out += ',';
  }
  out += R"({"message":)";
  protocol::append_json_string(out, message);
  out += '}';
  return out;
}

std::string encode_disconnect_frame() {
  return "41";
}

std::string encode_event_frame(std::string_view event, std::string_view data_json,
                               std::string_view offset) {
  std::string out;
  out.reserve(8 + event.size() + data_json.size() + offset.size());
  out += "42[";
  protocol::append_json_string(out, event);
  out += ',';
  out += data_json;
  if (!offset.empty()) {
    out += ',';
    protocol::append_json_string(out, offset);
  }
  out += ']';
  return out;
}

std::string encode_ack_frame(std::uint64_t id, std::string_view args_json) {
  std::string out = "43" + std::to_string(id) + "[";
  out += args_json;
  out += ']';
  return out;
}

}  // namespace herald::gateway::socketio
