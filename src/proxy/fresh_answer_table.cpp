// FreshAnswerTable: striped map of canonical URL -> FreshCopy, checked by generation
// and freshness on every find.
#include "proxy/fresh_answer_table.hpp"

#include <functional>

namespace herald::proxy {

FreshAnswerTable::Stripe& FreshAnswerTable::stripe_of(const std::string& canonical) {
  return stripes_[std::hash<std::string>{}(canonical) % stripes_.size()];
}

std::shared_ptr<const FreshCopy> FreshAnswerTable::find(const std::string& canonical,
                                                        std::uint64_t generation,
                                                        std::int64_t now_ms) {
  Stripe& s = stripe_of(canonical);
  std::lock_guard lock(s.mutex);
  auto it = s.copies.find(canonical);
  if (it == s.copies.end()) return nullptr;
  const FreshCopy& c = *it->second;
  if (!c.serves(generation, now_ms)) {
    s.bytes -= c.bytes();
    s.copies.erase(it);
    return nullptr;
  }
  return it->second;
}

void FreshAnswerTable::put(const std::string& canonical, std::shared_ptr<const FreshCopy> copy) {
  Stripe& s = stripe_of(canonical);
  std::lock_guard lock(s.mutex);
  if (copy->generation < s.generation) return;  // already outdated here
  if (copy->generation != s.generation || s.bytes + copy->bytes() > stripe_bytes_) {
    s.copies.clear();
    s.bytes = 0;
    s.generation = copy->generation;
  }
  if (copy->bytes() > stripe_bytes_) return;
  auto [it, inserted] = s.copies.try_emplace(canonical, copy);
  if (!inserted) {
    s.bytes -= it->second->bytes();
    it->second = copy;
  }
  s.bytes += copy->bytes();
}

std::size_t FreshAnswerTable::size() const {
  std::size_t n = 0;
  for (const Stripe& s : stripes_) {
    std::lock_guard lock(s.mutex);
    n += s.copies.size();
  }
  return n;
}

}  // namespace herald::proxy
