// ChannelHistory: the memory engine's per-channel ring of recent publications.
// Holds at most `capacity` entries, until `ttl` has passed since the newest one.
// Offsets are consecutive, so lookup by offset is index arithmetic.
// Not thread-safe: the owning channel's mutex guards it.
#pragma once

#include <herald/realtime/publication.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

namespace herald::realtime {

class ChannelHistory {
 public:
  using Clock = std::chrono::steady_clock;

  ChannelHistory(std::size_t capacity, Clock::duration ttl) : capacity_(capacity), ttl_(ttl) {}

  /// Appends `p` (its offset must follow the newest entry's), evicting the oldest
  /// entry when full. Capacity 0 stores nothing. Cost: O(1) amortised.
  void push(PublicationPtr p, Clock::time_point now);
  /// Drops the whole ring once ttl has passed since the last push. Cost: O(size) then.
  void expire(Clock::time_point now);

  /// True when every offset in (since, top] is held (trivially when since == top).
  bool covers(std::uint64_t since, std::uint64_t top) const noexcept;
  /// Up to `limit` entries with offset > since, oldest first. Cost: O(limit).
  std::vector<PublicationPtr> after(std::uint64_t since, std::size_t limit) const;
  /// The newest `limit` entries, oldest first. Cost: O(limit).
  std::vector<PublicationPtr> latest(std::size_t limit) const;

  bool empty() const noexcept { return ring_.empty(); }
  std::size_t size() const noexcept { return ring_.size(); }
  std::size_t capacity() const noexcept { return capacity_; }

 private:
  struct Entry {
    PublicationPtr publication;
    Clock::time_point at;
  };
  std::deque<Entry> ring_;  // oldest first, consecutive offsets
  std::size_t capacity_;
  Clock::duration ttl_;
};

}  // namespace herald::realtime
