// SubscriptionSet: a connection's channels and, per channel, the delivery filter that
// makes recovery gap-free and duplicate-free.
//
// While a subscribe is in flight (the engine call may suspend), live deliveries for
// that channel are buffered; complete() then returns, in order, the recovered
// messages followed by the buffered ones, dropping every offset at or below what was
// already emitted. Afterwards accept() passes a publication only if its offset is
// above the last one emitted (deliveries queued before the subscribe are dropped).
// A changed epoch (history recreated) resets the filter. Ephemeral publications
// (plain Pub/Sub, no offset) pass without touching it. Single-threaded.
#pragma once

#include <herald/realtime/publication.hpp>

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace herald::gateway {

class SubscriptionSet {
 public:
  /// Starts a subscribe; false if the channel is already subscribed or pending.
  bool begin(const std::string& channel);
  /// Ends a subscribe at `position` (the engine's latest offset at registration):
  /// returns what to send after the reply, oldest first. Cost: O(missed + buffered).
  std::vector<realtime::PublicationPtr> complete(const std::string& channel,
                                                 const realtime::StreamPosition& position,
                                                 std::vector<realtime::PublicationPtr> missed);
  /// True if `p` must be sent now; buffers it while the subscribe is pending.
  bool accept(const realtime::PublicationPtr& p);
  /// Forgets a channel (pending or not); false if it was not there.
  bool remove(const std::string& channel);

  bool contains(const std::string& channel) const { return channels_.contains(channel); }
  std::size_t size() const noexcept { return channels_.size(); }
  std::vector<std::string> channels() const;

 private:
  struct State {
    bool pending = true;
    std::uint64_t last_offset = 0;
    std::string epoch;
    std::vector<realtime::PublicationPtr> buffered;
  };
  std::unordered_map<std::string, State> channels_;
};

}  // namespace herald::gateway
