// L1Store: the in-process level of the cache: an LRU map bounded by entries and by
// bytes. It stores what it is given and evicts the least recently used entries to
// stay within bounds; deciding whether an entry is still valid is Cache's job.
//
// Thread: single-threaded (the owning Cache's executor).
// Cost: find/put/erase O(1) (one hash of the key, one list splice);
// erase_prefix O(entries). Memory: key + value + ~200 bytes of bookkeeping each
// (measured in bench/cache: see docs/benchmarks.md).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <list>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace herald::cache {

struct L1Entry {
  using Clock = std::chrono::steady_clock;
  std::optional<std::string> value;  ///< nullopt: negative ("not found")
  bool stale = false;                ///< a fail-safe re-cache
  Clock::time_point fresh_until;     ///< a hit until then
  Clock::time_point keep_until;      ///< a stale/fail-safe fallback until then
  std::int64_t created_ms = 0;       ///< wall clock, for eager refresh
  std::int64_t expires_ms = 0;       ///< wall clock logical expiry
  std::uint64_t epoch = 0;           ///< Cache's coherence epoch when stored
  /// The local generation of each tag when stored; a tag invalidation bumps it.
  std::vector<std::pair<std::string, std::uint64_t>> tag_generations;
};

class L1Store {
 public:
  L1Store(std::size_t max_entries, std::size_t max_bytes)
      : max_entries_(max_entries), max_bytes_(max_bytes) {}

  /// The entry, marked most recently used; nullptr when absent.
  L1Entry* find(std::string_view key);
  /// Inserts or replaces, then evicts least recently used entries over the bounds.
  /// Replacing reuses the key's node (no allocation for the key, node or index).
  void put(std::string_view key, L1Entry entry);
  bool erase(std::string_view key);
  /// Erases every key starting with `prefix`; returns how many.
  std::size_t erase_prefix(std::string_view prefix);
  void clear();

  std::size_t size() const noexcept { return index_.size(); }
  std::size_t bytes() const noexcept { return bytes_; }

 private:
  struct Node {
    std::string key;
    L1Entry entry;
    std::size_t bytes;
  };
  using List = std::list<Node>;

  static std::size_t cost(std::string_view key, const L1Entry& e) noexcept;
  void erase_node(List::iterator it);

  List lru_;                                                    ///< front = most recently used
  std::unordered_map<std::string_view, List::iterator> index_;  ///< views into lru_ keys
  std::size_t max_entries_;
  std::size_t max_bytes_;
  std::size_t bytes_ = 0;
};

}  // namespace herald::cache
