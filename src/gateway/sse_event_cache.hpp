// SseEventCache: the SSE event of the publication being fanned out, encoded once per
// shard and shared by every SSE subscriber of that shard (as the WebSocket frame is
// shared through the Publication). Shard::deliver() hands one publication to all its
// local subscribers in a row, so remembering the last one is enough. Shard thread
// only; cost: one encode per publication per shard, then a pointer compare.
#pragma once

#include <herald/realtime/publication.hpp>

#include <memory>
#include <string>
#include <utility>

namespace herald::gateway {

class SseEventCache {
 public:
  using Event = std::shared_ptr<const std::string>;

  /// The event of `p`: the remembered one when `p` is the last publication asked for,
  /// else encode(*p), remembered. The publication is held (not its address) so a
  /// new one at a reused address is never mistaken for it.
  template <typename Encode>
  const Event& get(const realtime::PublicationPtr& p, Encode&& encode) {
    if (p != last_) {
      event_ = std::make_shared<const std::string>(std::forward<Encode>(encode)(*p));
      last_ = p;
    }
    return event_;
  }

 private:
  realtime::PublicationPtr last_;
  Event event_;
};

}  // namespace herald::gateway
