// L1Store: LRU list + index of string_views into the list's keys (list nodes never
// move, so the views stay valid until their node is erased).
#include "cache/l1_store.hpp"

namespace herald::cache {

std::size_t L1Store::cost(std::string_view key, const L1Entry& e) noexcept {
  // Key and value bytes plus list node, map slot and entry bookkeeping.
  std::size_t n = key.size() + sizeof(Node) + 48;
  if (e.value) n += e.value->size();
  for (const auto& [tag, gen] : e.tag_generations) n += tag.size() + sizeof(gen) + 32;
  return n;
}

L1Entry* L1Store::find(std::string_view key) {
  auto it = index_.find(key);
  if (it == index_.end()) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second);
  return &it->second->entry;
}

void L1Store::put(std::string_view key, L1Entry entry) {
  if (max_entries_ == 0) return;
  const std::size_t bytes = cost(key, entry);
  auto it = index_.find(key);
  if (bytes > max_bytes_) {  // larger than the whole L1: not worth caching here
    if (it != index_.end()) erase_node(it->second);
    return;
  }
  if (it != index_.end()) {
    Node& node = *it->second;
    bytes_ = bytes_ - node.bytes + bytes;
    node.entry = std::move(entry);
    node.bytes = bytes;
    lru_.splice(lru_.begin(), lru_, it->second);
  } else {
    lru_.push_front(Node{std::string(key), std::move(entry), bytes});
    index_.emplace(lru_.front().key, lru_.begin());
    bytes_ += bytes;
  }
  while (index_.size() > max_entries_ || bytes_ > max_bytes_) erase_node(std::prev(lru_.end()));
}

bool L1Store::erase(std::string_view key) {
  auto it = index_.find(key);
  if (it == index_.end()) return false;
  erase_node(it->second);
  return true;
}

std::size_t L1Store::erase_prefix(std::string_view prefix) {
  std::size_t n = 0;
  for (auto it = lru_.begin(); it != lru_.end();) {
    auto next = std::next(it);
    if (std::string_view{it->key}.starts_with(prefix)) {
      erase_node(it);
      ++n;
    }
    it = next;
  }
  return n;
}

void L1Store::clear() {
  index_.clear();
  lru_.clear();
  bytes_ = 0;
}

void L1Store::erase_node(List::iterator it) {
  bytes_ -= it->bytes;
  index_.erase(std::string_view{it->key});
  lru_.erase(it);
}

}  // namespace herald::cache
