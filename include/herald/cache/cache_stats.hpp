// CacheStats: counters of one Cache, read on the cache's executor (plain integers,
// no atomics: the cache is single-threaded by contract).
#pragma once

#include <cstdint>

namespace herald::cache {

struct CacheStats {
  std::uint64_t l1_hits = 0;
  std::uint64_t l1_misses = 0;
  std::uint64_t l2_hits = 0;
  std::uint64_t l2_misses = 0;
  std::uint64_t stale_served = 0;    ///< stale answers (SWR, fail-safe): not hits
  std::uint64_t loads = 0;           ///< loader calls
  std::uint64_t load_errors = 0;     ///< loader threw or timed out
  std::uint64_t lock_waits = 0;      ///< times a caller waited for another node's load
  std::uint64_t lock_timeouts = 0;   ///< waits that gave up and loaded anyway
  std::uint64_t redis_errors = 0;    ///< Redis calls that failed (the cache failed open)
  std::uint64_t writes = 0;          ///< write-backs stored in Redis, their notice published
  std::uint64_t writes_skipped = 0;  ///< write-backs refused: invalidated during the load
  std::uint64_t invalidations = 0;   ///< keys, tags and namespaces invalidated here

  /// Hits over lookups, both levels counted once per get (0 when no lookups).
  double hit_ratio() const noexcept {
    const auto hits = l1_hits + l2_hits;
    const auto lookups = hits + l2_misses;
    return lookups == 0 ? 0.0 : static_cast<double>(hits) / static_cast<double>(lookups);
  }
};

}  // namespace herald::cache
