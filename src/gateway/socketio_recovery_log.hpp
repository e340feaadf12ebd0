// SocketIoRecoveryLog: what one Socket.IO session sent, kept so that socket.io's
// connection state recovery (v4.6+: `pid` and `offset` in the next CONNECT) maps onto
// Herald's history. Every publication frame carries its position as the last event
// argument ("<channel>:<epoch>:<offset>", the client keeps the last one it saw); the
// log holds the positions of the last `capacity` publications in send order plus,
// per channel, the position before them (the subscribe position, then evicted
// entries). Frames on one transport arrive in order, so everything sent up to the
// client's offset was received: per channel, the last such position is where its
// recovery starts. Single-threaded (the session's shard, then the store's mutex).
// Cost: O(capacity) shared pointers per session that received publications.
#pragma once

#include <herald/realtime/publication.hpp>

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace herald::gateway {

class SocketIoRecoveryLog {
 public:
  static constexpr std::size_t capacity = 128;

  /// A subscribe completed at `position` (its recovery floor until a publication).
  void subscribed(const std::string& channel, const realtime::StreamPosition& position) {
    floor_[channel] = position;
  }
  void unsubscribed(const std::string& channel);
  /// A publication frame was queued to the client.
  void sent(const realtime::PublicationPtr& p);

  /// Where each subscribed channel's recovery starts given the client's last offset
  /// (empty: it received no publication); nullopt when the log cannot tell (the offset
  /// is unknown or older than the log).
  std::optional<std::map<std::string, realtime::StreamPosition>> positions(
      std::string_view offset) const;

  /// The offset argument of a publication: "<channel>:<epoch>:<offset>".
  static std::string offset_of(const realtime::Publication& p);

 private:
  std::map<std::string, realtime::StreamPosition> floor_;  // subscribed channels
  // A ring (a vector allocates nothing until used): sent_[head_] is the oldest once full.
  std::vector<realtime::PublicationPtr> sent_;
  std::size_t head_ = 0;
  bool evicted_ = false;
  const realtime::Publication& at(std::size_t i) const {
    return *sent_[(head_ + i) % sent_.size()];
  }
};

}  // namespace herald::gateway
