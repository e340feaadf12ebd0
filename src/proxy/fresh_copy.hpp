// FreshCopy: a stored answer that a client's shard may serve itself, without asking
// the cache's thread, while it is fresh and the cache's generation has not moved
// (see FreshAnswerTable). Made by CachingProxy from a cache read on the cache's
// thread; immutable once made, shared between threads.
//
// Thread: immutable; shared by std::shared_ptr<const FreshCopy>.
#pragma once

#include "proxy/core/stored_response.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace herald::proxy {

struct FreshCopy {
  std::shared_ptr<const std::string> value;  ///< the stored envelope
  StoredResponseView view;                   ///< parsed from *value (views into it)
  std::vector<std::string> vary;             ///< the URL's Vary names
  std::string variant;           ///< variant_key() of the copy, to match a request's Vary'd values
  std::uint64_t generation = 0;  ///< Cache::generation() read before the cache was

  /// The one coherence check: still read at the cache's current generation and fresh.
  bool serves(std::uint64_t current_generation, std::int64_t now_ms) const noexcept {
    return generation == current_generation && view.fresh_at(now_ms);
  }

  std::size_t bytes() const noexcept { return value->size() + variant.size() + 128; }
};

}  // namespace herald::proxy
