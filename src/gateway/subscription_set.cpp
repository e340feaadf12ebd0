// SubscriptionSet: per-channel delivery filter (see subscription_set.hpp).
#include "gateway/subscription_set.hpp"

namespace herald::gateway {

bool SubscriptionSet::begin(const std::string& channel) {
  return channels_.try_emplace(channel).second;
}

std::vector<realtime::PublicationPtr> SubscriptionSet::complete(
    const std::string& channel, const realtime::StreamPosition& position,
    std::vector<realtime::PublicationPtr> missed) {
  std::vector<realtime::PublicationPtr> out;
  auto it = channels_.find(channel);
  if (it == channels_.end()) return out;
  State& s = it->second;
  s.pending = false;
  s.epoch = position.epoch;
  // Recovered messages end at position.offset; buffered ones may overlap them.
  std::uint64_t last = position.offset;
  out = std::move(missed);
  for (auto& p : s.buffered) {
    if (p->kind == realtime::Publication::Kind::ephemeral) {  // outside the offset order
      out.push_back(std::move(p));
      continue;
    }
    if (p->epoch != s.epoch) {  // history recreated meanwhile: take the new epoch
      s.epoch = p->epoch;
      last = 0;
    }
    if (p->offset > last) {
      last = p->offset;
      out.push_back(std::move(p));
    }
  }
  s.buffered.clear();
  s.buffered.shrink_to_fit();
  s.last_offset = last;
  return out;
}

bool SubscriptionSet::accept(const realtime::PublicationPtr& p) {
  auto it = channels_.find(p->channel);
  if (it == channels_.end()) return false;
  State& s = it->second;
  if (s.pending) {
    s.buffered.push_back(p);
    return false;
  }
  if (p->kind == realtime::Publication::Kind::ephemeral) return true;
  if (p->epoch != s.epoch) {
    s.epoch = p->epoch;
  } else if (p->offset <= s.last_offset) {
    return false;
  }
  s.last_offset = p->offset;
  return true;
}

bool SubscriptionSet::remove(const std::string& channel) {
  return channels_.erase(channel) != 0;
}

std::vector<std::string> SubscriptionSet::channels() const {
  std::vector<std::string> out;
  out.reserve(channels_.size());
  for (const auto& [name, state] : channels_) out.push_back(name);
  return out;
}

}  // namespace herald::gateway
