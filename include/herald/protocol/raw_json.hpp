// find_raw_member(): slices the raw text of one member of a JSON object without
// re-serialising it, so publishers' data is forwarded byte for byte.
#pragma once

#include <optional>
#include <string_view>

namespace herald::protocol {

/// `object_text` must already be known to be valid JSON whose top level is an object
/// (e.g. it parsed with Boost.JSON). Returns the text of the value of the last member
/// whose key is exactly `key` (as written, without escape decoding), trimmed of
/// surrounding whitespace; nullopt if absent. Cost: one linear scan.
std::optional<std::string_view> find_raw_member(std::string_view object_text, std::string_view key);

}  // namespace herald::protocol
