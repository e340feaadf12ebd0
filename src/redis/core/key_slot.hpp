// key_slot(): the Redis Cluster hash slot of a key: CRC16 (XMODEM) of the key, or of
// its hash tag, modulo 16384. The tag is what lies between the first '{' and the
// first '}' after it, when that is not empty; otherwise the whole key is hashed
// (the rules of the Redis Cluster specification, "Hash tags").
// Sans-io, a pure function. Cost: one table lookup per hashed byte.
#pragma once

#include <cstdint>
#include <string_view>

namespace herald::redis {

/// Number of hash slots of a Redis Cluster.
inline constexpr std::uint16_t kClusterSlots = 16384;

/// CRC16-CCITT (XMODEM: polynomial 0x1021, initial value 0), as Redis computes it.
std::uint16_t crc16(std::string_view bytes) noexcept;

/// The slot of `key`, 0..16383.
std::uint16_t key_slot(std::string_view key) noexcept;

}  // namespace herald::redis
