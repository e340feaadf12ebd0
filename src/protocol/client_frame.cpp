// parse_client_frame(): JSON text -> typed client frame or a 400-class reason.
// Field checks are explicit so each malformed frame gets a message naming the field.
#include <herald/protocol/client_frame.hpp>

#include <herald/protocol/raw_json.hpp>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <array>

namespace herald::protocol {
namespace {

namespace json = boost::json;

// Thrown inside this file only, caught in parse_client_frame(): keeps the field
// checks linear to read. Never escapes the codec.
struct Reject {
  ProtocolError code;
  std::string message;
};

const json::value& require(const json::object& obj, std::string_view key) {
  const json::value* v = obj.if_contains(key);
  if (v == nullptr)
    throw Reject{ProtocolError::missing_field, "missing field '" + std::string(key) + "'"};
  return *v;
}

std::string require_string(const json::object& obj, std::string_view key) {
  const json::value& v = require(obj, key);
  if (!v.is_string())
    throw Reject{ProtocolError::wrong_type, "field '" + std::string(key) + "' must be a string"};
  return std::string(v.get_string());
}

// Non-negative integer (JSON integers, or doubles with an exact integral value).
std::uint64_t as_unsigned(const json::value& v, std::string_view key) {
  if (v.is_uint64()) return v.get_uint64();
  if (v.is_int64() && v.get_int64() >= 0) return static_cast<std::uint64_t>(v.get_int64());
  if (v.is_double()) {
    double d = v.get_double();
    if (d >= 0 && d <= 9007199254740992.0 &&
        d == static_cast<double>(static_cast<std::uint64_t>(d))) {
      return static_cast<std::uint64_t>(d);
    }
  }
  throw Reject{ProtocolError::wrong_type,
               "field '" + std::string(key) + "' must be a non-negative integer"};
}

std::optional<StreamPosition> parse_since(const json::object& obj) {
  const json::value* v = obj.if_contains("since");
  if (v == nullptr || v->is_null()) return std::nullopt;
  if (!v->is_object()) throw Reject{ProtocolError::wrong_type, "field 'since' must be an object"};
  const json::object& since = v->get_object();
  StreamPosition pos;
  pos.offset = as_unsigned(require(since, "offset"), "since.offset");
  if (const json::value* e = since.if_contains("epoch"); e != nullptr && !e->is_null()) {
    if (!e->is_string())
      throw Reject{ProtocolError::wrong_type, "field 'since.epoch' must be a string"};
    pos.epoch = std::string(e->get_string());
  }
  return pos;
}

std::optional<std::int64_t> parse_id(const json::object& obj) {
  const json::value* v = obj.if_contains("id");
  if (v == nullptr || v->is_null()) return std::nullopt;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
    return static_cast<std::int64_t>(v->get_uint64());
  }
  throw Reject{ProtocolError::bad_id, "field 'id' must be an integer"};
}

ClientCommand parse_command(const json::object& obj, std::string_view text) {
  const json::value& t = require(obj, "type");
  if (!t.is_string()) throw Reject{ProtocolError::wrong_type, "field 'type' must be a string"};
  std::string_view type = t.get_string();
  if (type == "subscribe") return SubscribeFrame{require_string(obj, "channel"), parse_since(obj)};
  if (type == "join_room") return SubscribeFrame{require_string(obj, "room"), parse_since(obj)};
  if (type == "unsubscribe") return UnsubscribeFrame{require_string(obj, "channel")};
  if (type == "leave_room") return UnsubscribeFrame{require_string(obj, "room")};
  if (type == "publish") {
    std::string channel = require_string(obj, "channel");
    const json::value& data = require(obj, "data");
    // Raw slice of the publisher's text; fall back to re-serialising if the key was
    // spelled with escapes (the slice is then absent).
    std::optional<std::string_view> raw = find_raw_member(text, "data");
    return PublishFrame{std::move(channel), raw ? std::string(*raw) : json::serialize(data)};
  }
  if (type == "presence") return PresenceFrame{require_string(obj, "channel")};
  if (type == "history") {
    HistoryFrame h{require_string(obj, "channel"), parse_since(obj)};
    if (const json::value* l = obj.if_contains("limit"); l != nullptr && !l->is_null()) {
      h.limit = static_cast<std::size_t>(
          std::min<std::uint64_t>(as_unsigned(*l, "limit"), HistoryFrame::max_limit));
    }
    return h;
  }
  if (type == "ping") return PingFrame{};
  if (type == "auth") return AuthFrame{require_string(obj, "token")};
  std::string shown(type.substr(0, 64));
  throw Reject{ProtocolError::unknown_type, "unknown type '" + shown + "'"};
}

}  // namespace

ParsedFrame parse_client_frame(std::string_view text) {
  ParsedFrame out;
  // Most frames are small: parse into a stack buffer, spilling to the heap if needed.
  std::array<unsigned char, 4096> buffer;
  json::monotonic_resource resource(buffer.data(), buffer.size());
  boost::system::error_code ec;
  json::value root = json::parse(text, ec, &resource);
  if (ec) {
    out.error = ProtocolError::malformed_json;
    // Boost.JSON's default depth limit (32): deeper input is refused, and says so.
    out.message =
        ec == json::error::too_deep ? "JSON nested deeper than 32 levels" : "malformed JSON";
    return out;
  }
  if (!root.is_object()) {
    out.error = ProtocolError::not_an_object;
    out.message = "frame must be a JSON object";
    return out;
  }
  const json::object& obj = root.get_object();
  try {
    out.id = parse_id(obj);
    out.command = parse_command(obj, text);
  } catch (Reject& r) {
    out.command.reset();
    out.error = r.code;
    out.message = std::move(r.message);
  }
  return out;
}

std::string_view command_name(const ClientCommand& command) noexcept {
  struct Name {
    std::string_view operator()(const SubscribeFrame&) const { return "subscribe"; }
    std::string_view operator()(const UnsubscribeFrame&) const { return "unsubscribe"; }
    std::string_view operator()(const PublishFrame&) const { return "publish"; }
    std::string_view operator()(const PresenceFrame&) const { return "presence"; }
    std::string_view operator()(const HistoryFrame&) const { return "history"; }
    std::string_view operator()(const PingFrame&) const { return "ping"; }
    std::string_view operator()(const AuthFrame&) const { return "auth"; }
  };
  return std::visit(Name{}, command);
}

}  // namespace herald::protocol
