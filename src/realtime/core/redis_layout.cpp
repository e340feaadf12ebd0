// redis_layout: key names and payload codecs of the Redis engine.
#include "realtime/core/redis_layout.hpp"

#include <herald/protocol/publish_body.hpp>

#include <charconv>

namespace herald::realtime::redis_layout {

namespace {

constexpr std::string_view kChannelPrefix = "herald:ch:{";

std::string channel_key(std::string_view channel, std::string_view suffix) {
  std::string out;
  out.reserve(kChannelPrefix.size() + channel.size() + 1 + suffix.size());
  out += kChannelPrefix;
  out += channel;
  out += '}';
  out += suffix;
  return out;
}

std::optional<std::uint64_t> parse_u64(std::string_view text) {
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return v;
}

}  // namespace

std::string meta_key(std::string_view channel) {
  return channel_key(channel, ":meta");
}
std::string stream_key(std::string_view channel) {
  return channel_key(channel, ":hist");
}
std::string presence_key(std::string_view channel) {
  return channel_key(channel, ":pres");
}
std::string feed_channel(std::string_view channel) {
  return channel_key(channel, "");
}

std::optional<std::string_view> channel_of_feed(std::string_view feed) {
  if (!feed.starts_with(kChannelPrefix) || !feed.ends_with('}')) return std::nullopt;
  std::string_view name = feed.substr(kChannelPrefix.size());
  name.remove_suffix(1);
  if (name.empty() || name.find_first_of("{}") != std::string_view::npos) return std::nullopt;
  return name;
}

std::string stream_id(std::uint64_t offset) {
  return std::to_string(offset) + "-0";
}

std::optional<std::uint64_t> offset_of_stream_id(std::string_view id) {
  auto dash = id.find('-');
  if (dash == std::string_view::npos || id.substr(dash + 1) != "0") return std::nullopt;
  auto v = parse_u64(id.substr(0, dash));
  if (!v || *v == 0) return std::nullopt;
  return v;
}

std::string encode_feed(std::uint64_t offset, std::string_view epoch, std::string_view data,
                        std::string_view event) {
  std::string out = std::to_string(offset);
  out.reserve(out.size() + epoch.size() + data.size() + event.size() + 4);
  out += ' ';
  out += epoch;
  out += ' ';
  if (!event.empty()) {
    out += '@';
    out += event;
    out += ' ';
  }
  out += data;
  return out;
}

std::optional<FeedMessage> decode_feed(std::string_view payload) {
  auto first = payload.find(' ');
  if (first == std::string_view::npos) return std::nullopt;
  auto second = payload.find(' ', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  auto offset = parse_u64(payload.substr(0, first));
  if (!offset || *offset == 0) return std::nullopt;
  FeedMessage m;
  m.offset = *offset;
  m.epoch = payload.substr(first + 1, second - first - 1);
  m.data = payload.substr(second + 1);
  if (m.epoch.empty()) return std::nullopt;
  if (m.data.starts_with('@')) {
    auto space = m.data.find(' ');
    if (space == std::string_view::npos) return std::nullopt;
    m.event = m.data.substr(1, space - 1);
    if (!protocol::valid_event_name(m.event)) return std::nullopt;
    m.data = m.data.substr(space + 1);
  }
  return m;
}

std::string encode_disconnect(std::string_view origin, std::string_view user) {
  std::string out = "d ";
  out += origin;
  out += ' ';
  out += user;
  return out;
}

std::optional<DisconnectMessage> decode_disconnect(std::string_view payload) {
  if (!payload.starts_with("d ")) return std::nullopt;
  payload.remove_prefix(2);
  auto space = payload.find(' ');
  if (space == std::string_view::npos || space == 0) return std::nullopt;
  DisconnectMessage m{payload.substr(0, space), payload.substr(space + 1)};
  if (m.user.empty()) return std::nullopt;
  return m;
}

}  // namespace herald::realtime::redis_layout
