// libFuzzer target for CacheEntry::parse (the envelope the cache reads back from
// Redis, which any writer to the keyspace could have corrupted). Properties:
//   * parse() never crashes, throws or reads out of bounds, whatever the bytes;
//   * whatever it accepts survives encode() -> parse() unchanged, and the encoding
//     is canonical (encoding the re-parsed entry gives the same bytes).
#include "cache/cache_entry.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

bool same(const herald::cache::CacheEntry& a, const herald::cache::CacheEntry& b) {
  return a.stamp == b.stamp && a.created_ms == b.created_ms && a.expires_ms == b.expires_ms &&
         a.flags == b.flags && a.ns_version == b.ns_version && a.tags == b.tags &&
         a.payload == b.payload;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using herald::cache::CacheEntry;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto first = CacheEntry::parse(bytes);
  if (!first) return 0;
  const std::string encoded = first->encode();
  auto second = CacheEntry::parse(encoded);
  if (!second || !same(*first, *second)) std::abort();
  if (second->encode() != encoded) std::abort();
  return 0;
}
