// Encoders for server -> client frames. Hand-written appends instead of building a
// json::value: these run once per publication and once per reply, and writing the
// text directly costs one allocation per frame.
#include <herald/protocol/server_frame.hpp>

#include "protocol/channel_frame.hpp"

namespace herald::protocol {

void append_json_string(std::string& out, std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  out.push_back('"');
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out.push_back(hex[c >> 4]);
          out.push_back(hex[c & 0xF]);
        } else {
          out.push_back(ch);
        }
    }
  }
  out.push_back('"');
}

std::string encode_welcome(std::string_view client, std::string_view user,
                           std::uint32_t ping_interval) {
  std::string out = R"({"type":"welcome","client":)";
  append_json_string(out, client);
  out += R"(,"user":)";
  append_json_string(out, user);
  out += R"(,"ping_interval":)";
  out += std::to_string(ping_interval);
  out += '}';
  return out;
}

std::string encode_reply(std::int64_t id, std::string_view result_json) {
  std::string out;
  out.reserve(40 + result_json.size());
  out += R"({"type":"reply","id":)";
  out += std::to_string(id);
  out += R"(,"result":)";
  out += result_json;
  out += '}';
  return out;
}

std::string encode_error(std::optional<std::int64_t> id, int code, std::string_view message) {
  std::string out = R"({"type":"error",)";
  if (id) {
    out += R"("id":)";
    out += std::to_string(*id);
    out += ',';
  }
  out += R"("code":)";
  out += std::to_string(code);
  out += R"(,"message":)";
  append_json_string(out, message);
  out += '}';
  return out;
}

std::string encode_subscribe_result(std::string_view channel, const StreamPosition& position,
                                    bool recovered) {
  std::string out = R"({"channel":)";
  append_json_string(out, channel);
  out += R"(,"offset":)";
  out += std::to_string(position.offset);
  out += R"(,"epoch":)";
  append_json_string(out, position.epoch);
  out += recovered ? R"(,"recovered":true})" : R"(,"recovered":false})";
  return out;
}

std::size_t append_channel_frame(std::string& out, std::string_view type, std::string_view channel,
                                 std::uint64_t offset, std::string_view epoch,
                                 std::string_view member, std::string_view value_json) {
  out.reserve(out.size() + 64 + channel.size() + epoch.size() + value_json.size());
  out += R"({"type":")";
  out += type;
  out += R"(","channel":)";
  append_json_string(out, channel);
  out += R"(,"offset":)";
  out += std::to_string(offset);
  out += R"(,"epoch":)";
  append_json_string(out, epoch);
  out += R"(,")";
  out += member;
  out += R"(":)";
  const std::size_t value_pos = out.size();
  out += value_json;
  out += '}';
  return value_pos;
}

MessageFrame encode_message(std::string_view channel, std::uint64_t offset, std::string_view epoch,
                            std::string_view data_json) {
  MessageFrame frame;
  frame.data_pos =
      append_channel_frame(frame.text, "message", channel, offset, epoch, "data", data_json);
  frame.data_size = data_json.size();
  return frame;
}

void append_position(std::string& out, const StreamPosition& position) {
  out += R"({"offset":)";
  out += std::to_string(position.offset);
  out += R"(,"epoch":)";
  append_json_string(out, position.epoch);
  out += '}';
}

std::string encode_position(const StreamPosition& position) {
  std::string out;
  append_position(out, position);
  return out;
}

std::string encode_history_result(const std::vector<HistoryEntry>& messages,
                                  const StreamPosition& position) {
  std::string out = R"({"messages":[)";
  bool first = true;
  for (const HistoryEntry& m : messages) {
    if (!first) out += ',';
    first = false;
    out += R"({"offset":)";
    out += std::to_string(m.offset);
    out += R"(,"data":)";
    out += m.data_json;
    out += '}';
  }
  out += R"(],"offset":)";
  out += std::to_string(position.offset);
  out += R"(,"epoch":)";
  append_json_string(out, position.epoch);
  out += '}';
  return out;
}

std::string encode_disconnect(int code, std::string_view reason, bool reconnect) {
  std::string out = R"({"type":"disconnect","code":)";
  out += std::to_string(code);
  out += R"(,"reason":)";
  append_json_string(out, reason);
  out += reconnect ? R"(,"reconnect":true})" : R"(,"reconnect":false})";
  return out;
}

}  // namespace herald::protocol
