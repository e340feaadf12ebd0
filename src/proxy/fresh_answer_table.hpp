// FreshAnswerTable: the fresh stored answers the gateway's shards serve without a hop
// to the cache's thread. A cache hit through the full flow costs two thread hops and
// two cache lookups; a hit here is one striped-lock lookup on the client's own thread.
//
// Invariant (coherence): a copy is served only while Cache::generation() still reads
// the value it had when the copy was read from the cache, and only while it is fresh
// by its own envelope. Every invalidation a node hears (tags, keys, namespaces, clear,
// bus health; its own and, through the bus, the others') moves the generation, so an
// invalidation that has returned to its caller is never answered around. The cost is
// that any invalidation empties the table (it refills on the next hit of each URL).
// One copy per URL: the last variant read (others go the full way).
//
// Thread: every member from any thread (16 stripes, each under its own mutex).
// Memory: at most `max_bytes` of envelopes held here beyond L1's own (a stripe that
// would pass its share is emptied first).
#pragma once

#include "proxy/fresh_copy.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace herald::proxy {

class FreshAnswerTable {
 public:
  explicit FreshAnswerTable(std::size_t max_bytes = 32u << 20) : stripe_bytes_(max_bytes / 16) {}

  /// The copy for `canonical` if it was read at `generation` and is fresh at `now_ms`.
  std::shared_ptr<const FreshCopy> find(const std::string& canonical, std::uint64_t generation,
                                        std::int64_t now_ms);
  /// Keeps `copy` (replacing the URL's previous one); a stripe holding copies of an
  /// older generation is emptied first.
  void put(const std::string& canonical, std::shared_ptr<const FreshCopy> copy);

  std::size_t size() const;

 private:
  struct Stripe {
    mutable std::mutex mutex;
    std::unordered_map<std::string, std::shared_ptr<const FreshCopy>> copies;
    std::size_t bytes = 0;
    std::uint64_t generation = 0;
  };
  Stripe& stripe_of(const std::string& canonical);

  std::size_t stripe_bytes_;
  std::array<Stripe, 16> stripes_;
};

}  // namespace herald::proxy
