// random_id: random hex identifiers (epochs, node ids). Not cryptographic: they only
// need to differ between channel lifetimes and between nodes.
#pragma once

#include <cstddef>
#include <string>

namespace herald::realtime {

/// `digits` random hex digits (4 bits each, from a per-thread 64-bit generator seeded
/// by std::random_device).
std::string random_hex(std::size_t digits);

/// A channel epoch: 48 random bits as 12 hex digits.
inline std::string new_epoch() {
  return random_hex(12);
}

}  // namespace herald::realtime
