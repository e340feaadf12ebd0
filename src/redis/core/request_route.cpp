// RequestRoute::of: walks the RESP-encoded commands of a Request; see request_route.hpp.
#include "redis/core/request_route.hpp"

#include "redis/core/key_slot.hpp"

#include <array>
#include <cctype>
#include <charconv>
#include <initializer_list>

namespace herald::redis {
namespace {

/// Reads "<marker><n>\r\n" at the front of `in`.
bool read_header(std::string_view& in, char marker, std::size_t& n) {
  if (in.empty() || in.front() != marker) return false;
  const auto end = in.find("\r\n");
  if (end == std::string_view::npos || end == 1) return false;
  auto [ptr, ec] = std::from_chars(in.data() + 1, in.data() + end, n);
  if (ec != std::errc{} || ptr != in.data() + end) return false;
  in.remove_prefix(end + 2);
  return true;
}

bool read_bulk(std::string_view& in, std::string_view& out) {
  std::size_t len = 0;
  if (!read_header(in, '$', len)) return false;
  if (in.size() < len + 2 || in.substr(len, 2) != "\r\n") return false;
  out = in.substr(0, len);
  in.remove_prefix(len + 2);
  return true;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::toupper(static_cast<unsigned char>(a[i])) !=
        std::toupper(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

bool one_of(std::string_view name, std::initializer_list<std::string_view> names) {
  for (auto n : names)
    if (iequals(name, n)) return true;
  return false;
}

/// The first arguments of a command kept for routing; the rest is only skipped
/// (XREAD's STREAMS may come later: it is looked for while skipping).
constexpr std::size_t kKept = 4;

enum class Effect { none, any, all, key };

struct Command {
  std::array<std::string_view, kKept> args{};
  std::size_t argc = 0;
  std::string_view after_streams;  ///< XREAD/XREADGROUP: the argument after STREAMS
  bool has_streams = false;
};

Effect classify(const Command& c, std::string_view& key) {
  const std::string_view name = c.args[0];
  if (one_of(name, {"MULTI", "EXEC", "DISCARD", "ASKING", "READONLY", "READWRITE"}))
    return Effect::none;
  if (one_of(name, {"SCRIPT", "FLUSHALL", "FLUSHDB", "FUNCTION"})) return Effect::all;
  if (one_of(name, {"EVAL", "EVALSHA", "EVAL_RO", "EVALSHA_RO", "FCALL", "FCALL_RO"})) {
    if (c.argc < 4 || c.args[2] == "0") return Effect::any;
    key = c.args[3];
    return Effect::key;
  }
  if (one_of(name, {"XREAD", "XREADGROUP"})) {
    if (!c.has_streams) return Effect::any;
    key = c.after_streams;
    return Effect::key;
  }
  if (one_of(name, {"XGROUP", "XINFO", "OBJECT", "MEMORY"})) {
    if (c.argc < 3) return Effect::any;
    key = c.args[2];
    return Effect::key;
  }
  if (one_of(name, {"PING",   "ECHO",    "INFO",    "DBSIZE",  "TIME",      "PUBLISH",
                    "PUBSUB", "CLIENT",  "CLUSTER", "COMMAND", "CONFIG",    "SELECT",
                    "AUTH",   "HELLO",   "WAIT",    "SCAN",    "RANDOMKEY", "LASTSAVE",
                    "ROLE",   "SLOWLOG", "LATENCY", "QUIT",    "RESET"}))
    return Effect::any;
  if (c.argc < 2) return Effect::any;
  key = c.args[1];
  return Effect::key;
}

}  // namespace

std::optional<RequestRoute> RequestRoute::of(std::string_view payload) {
  RequestRoute route;
  bool keyed = false;
  bool all = false;
  while (!payload.empty()) {
    std::size_t argc = 0;
    if (!read_header(payload, '*', argc) || argc == 0) return std::nullopt;
    Command c;
    c.argc = argc;
    bool xread = false;
    bool streams_next = false;
    for (std::size_t i = 0; i < argc; ++i) {
      std::string_view arg;
      if (!read_bulk(payload, arg)) return std::nullopt;
      if (i < kKept) c.args[i] = arg;
      if (i == 0) xread = iequals(arg, "XREAD") || iequals(arg, "XREADGROUP");
      if (streams_next) {
        c.after_streams = arg;
        c.has_streams = true;
        streams_next = false;
      } else if (xread && !c.has_streams && i > 0 && iequals(arg, "STREAMS")) {
        streams_next = true;
      }
    }
    std::string_view key;
    switch (classify(c, key)) {
      case Effect::none:
      case Effect::any:
        break;
      case Effect::all:
        all = true;
        break;
      case Effect::key: {
        const std::uint16_t slot = key_slot(key);
        if (!keyed) {
          keyed = true;
          route.slot = slot;
        } else if (slot != route.slot) {
          route.cross_slot = true;
        }
        break;
      }
    }
  }
  if (keyed)
    route.kind = Kind::slot;
  else if (all)
    route.kind = Kind::all;
  return route;
}

}  // namespace herald::redis
