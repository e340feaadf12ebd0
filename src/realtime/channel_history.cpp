// ChannelHistory: bounded, expiring ring of a channel's recent publications.
#include "realtime/channel_history.hpp"

#include <algorithm>

namespace herald::realtime {

void ChannelHistory::push(PublicationPtr p, Clock::time_point now) {
  if (capacity_ == 0) return;
  // A gap (should not happen: the engine assigns consecutive offsets) would break
  // the index arithmetic below, so start over rather than hold a hole.
  if (!ring_.empty() && ring_.back().publication->offset + 1 != p->offset) ring_.clear();
  ring_.push_back(Entry{std::move(p), now});
  if (ring_.size() > capacity_) ring_.pop_front();
}

void ChannelHistory::expire(Clock::time_point now) {
  // The ttl runs from the channel's last publication (as --history-ttl documents):
  // an active channel keeps its whole ring, an idle one loses it at once.
  if (!ring_.empty() && now - ring_.back().at >= ttl_) ring_.clear();
}

bool ChannelHistory::covers(std::uint64_t since, std::uint64_t top) const noexcept {
  if (since == top) return true;
  if (since > top || ring_.empty()) return false;
  return ring_.front().publication->offset <= since + 1 && ring_.back().publication->offset == top;
}

std::vector<PublicationPtr> ChannelHistory::after(std::uint64_t since, std::size_t limit) const {
  std::vector<PublicationPtr> out;
  if (ring_.empty() || limit == 0) return out;
  std::uint64_t first = ring_.front().publication->offset;
  std::size_t start = since < first ? 0 : static_cast<std::size_t>(since - first + 1);
  if (start >= ring_.size()) return out;
  std::size_t n = std::min(limit, ring_.size() - start);
  out.reserve(n);
  for (std::size_t i = start; i < start + n; ++i) out.push_back(ring_[i].publication);
  return out;
}

std::vector<PublicationPtr> ChannelHistory::latest(std::size_t limit) const {
  std::vector<PublicationPtr> out;
  std::size_t n = std::min(limit, ring_.size());
  out.reserve(n);
  for (std::size_t i = ring_.size() - n; i < ring_.size(); ++i) out.push_back(ring_[i].publication);
  return out;
}

}  // namespace herald::realtime
