// append_channel_frame(): the shape shared by the frames that carry one publication of
// a channel, `message` (server_frame.cpp) and `invalidate` (invalidation.cpp):
// `{"type":"<type>","channel":c,"offset":N,"epoch":"e","<member>":<value_json>}`.
// Internal to herald_protocol. Sans-io; one append per piece, the reserve included.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace herald::protocol {

/// Appends the frame to `out`; returns where `value_json` starts in it. `type` and
/// `member` are written as they are (literals of the protocol, nothing to escape);
/// `value_json` is raw JSON text, copied byte for byte.
std::size_t append_channel_frame(std::string& out, std::string_view type, std::string_view channel,
                                 std::uint64_t offset, std::string_view epoch,
                                 std::string_view member, std::string_view value_json);

}  // namespace herald::protocol
