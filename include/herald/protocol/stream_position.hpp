// StreamPosition: a point in a channel's history (protocol.md sections 1 and 6).
// Offsets are consecutive per channel starting at 1; the epoch names one lifetime of
// the channel's history and changes when the history is lost and offsets restart.
#pragma once

#include <cstdint>
#include <string>

namespace herald::protocol {

struct StreamPosition {
  std::uint64_t offset = 0;  ///< latest offset seen (0 = none)
  std::string epoch;         ///< empty = unknown

  friend bool operator==(const StreamPosition&, const StreamPosition&) = default;
};

}  // namespace herald::protocol
