// The `tag:` channel convention and the `invalidate` frame: see invalidation.hpp.
#include <herald/protocol/invalidation.hpp>

#include <herald/protocol/raw_json.hpp>
#include <herald/protocol/server_frame.hpp>

#include "protocol/channel_frame.hpp"

namespace herald::protocol {

std::string tag_channel(std::string_view tag) {
  std::string out;
  out.reserve(tag_channel_prefix.size() + tag.size());
  out += tag_channel_prefix;
  out += tag;
  return out;
}

std::string encode_invalidation_data(const std::vector<std::string>& tags) {
  std::string out = R"({"tags":[)";
  for (std::size_t i = 0; i < tags.size(); ++i) {
    if (i != 0) out += ',';
    append_json_string(out, tags[i]);
  }
  out += "]}";
  return out;
}

std::optional<std::string> encode_invalidate_frame(std::string_view channel, std::uint64_t offset,
                                                   std::string_view epoch,
                                                   std::string_view data_json) {
  auto tags = find_raw_member(data_json, "tags");
  if (!tags) return std::nullopt;
  std::string out;
  append_channel_frame(out, "invalidate", channel, offset, epoch, "tags", *tags);
  return out;
}

}  // namespace herald::protocol
