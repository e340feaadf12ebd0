// The cache's invalidations on the wire, in one place: the `tag:<tag>` channel
// convention, the data published on such a channel, and the `invalidate` frame its
// subscribers receive instead of a `message` (../shared/spec/protocol.md, and
// docs/protocol.md: `{"type":"invalidate","channel":"tag:t","offset":N,"epoch":"e",
// "tags":[...]}`). The app publishes with tag_channel() + encode_invalidation_data(),
// the engines encode the frame with encode_invalidate_frame(), and the channel rules
// use is_tag_channel() (no client publish on these channels).
//
// Sans-io, thread-safe (pure functions). Cost: one allocation per encoded string.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace herald::protocol {

/// Channels named `tag:<tag>` carry the invalidations of cache tag <tag>.
inline constexpr std::string_view tag_channel_prefix = "tag:";

/// `tag:<tag>`.
std::string tag_channel(std::string_view tag);

/// True for `tag:...` channels.
inline bool is_tag_channel(std::string_view channel) noexcept {
  return channel.starts_with(tag_channel_prefix);
}

/// The data published on each `tag:` channel for one invalidation: `{"tags":[...]}`.
std::string encode_invalidation_data(const std::vector<std::string>& tags);

/// The `invalidate` frame of a publication on a `tag:` channel whose data is
/// `data_json`: `{"type":"invalidate","channel":..,"offset":N,"epoch":"e","tags":[...]}`,
/// the tags member copied raw. nullopt when the data has no top-level "tags" member
/// (the publication is then an ordinary `message`).
std::optional<std::string> encode_invalidate_frame(std::string_view channel, std::uint64_t offset,
                                                   std::string_view epoch,
                                                   std::string_view data_json);

}  // namespace herald::protocol
