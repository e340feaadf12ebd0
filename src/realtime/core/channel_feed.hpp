// ChannelFeed: one channel's live feed on one node of the Redis engine, as a sans-io
// state machine. It turns what arrives (Pub/Sub messages, the head read from Redis,
// history read to fill a gap) into what to deliver, in strictly increasing offset
// order, and says when history must be read. The engine performs the reads and
// hands each FeedStep's output to the shards; nothing here does I/O.
//
// Invariants: output publications of Kind::message have offsets last()+1, +2, ...
// in one epoch; a jump is either filled from history or replaced by one Kind::lost
// marker (the gateway then closes the channel's subscribers with 3010): never a
// silent gap. While the head is unknown or a fill is in flight, live messages are
// held (at most max_held; beyond that the backlog is dropped and marked lost).
// Single-threaded (the engine's thread).
#pragma once

#include <herald/realtime/publication.hpp>

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

namespace herald::realtime {

/// Read history offsets [from, to] (inclusive) and pass them to on_filled().
struct FillRequest {
  std::uint64_t from = 0;
  std::uint64_t to = 0;
  std::uint64_t generation = 0;  ///< on_filled() ignores answers to abandoned fills
  friend bool operator==(const FillRequest&, const FillRequest&) = default;
};

/// What the feed had delivered when a head read was sent (ChannelFeed::head_read()).
/// The answer to a read may arrive after live messages newer than it (the Pub/Sub
/// and command connections are separate sockets), so a head behind the feed is a
/// loss only if it is behind what had been delivered *before* the read was sent.
struct HeadRead {
  std::uint64_t last = 0;
  std::string epoch;
};

struct FeedStep {
  std::vector<PublicationPtr> out;  ///< to deliver, in this order (may hold a lost marker)
  std::optional<FillRequest> fill;  ///< history to read next
};

class ChannelFeed {
 public:
  explicit ChannelFeed(std::string channel, std::size_t max_held = 10000);

  /// A publication from the live feed.
  FeedStep on_live(PublicationPtr publication);
  /// Taken just before a head read is sent; passed back with its answer.
  HeadRead head_read() const { return HeadRead{last_, epoch_}; }
  /// The channel's head as read from Redis (first subscriber, or after a reconnect),
  /// with what the feed had delivered when the read was sent. Ahead of last(): a
  /// fill; another epoch, or behind `asked` (Redis lost writes): a loss marker, and
  /// the feed restarts from the head. A head the live feed overtook while the read
  /// was in flight (between `asked` and last(), or of the epoch the feed has since
  /// left) is stale and changes nothing.
  FeedStep on_head(std::uint64_t offset, const std::string& epoch, const HeadRead& asked);
  /// The answer to `request`: the entries read (oldest first, this epoch), or
  /// nullopt when the read failed.
  FeedStep on_filled(const FillRequest& request,
                     std::optional<std::vector<PublicationPtr>> entries);

  bool known() const noexcept { return known_; }
  bool filling() const noexcept { return filling_; }
  std::uint64_t last() const noexcept { return last_; }
  const std::string& epoch() const noexcept { return epoch_; }
  std::size_t held() const noexcept { return held_.size(); }

 private:
  /// Applies one in-order candidate; may start a fill (then later ones wait).
  void advance(PublicationPtr p, FeedStep& step);
  void replay_held(FeedStep& step);
  void mark_lost(FeedStep& step);

  std::string channel_;
  std::size_t max_held_;
  bool known_ = false;
  bool filling_ = false;
  std::uint64_t last_ = 0;
  std::string epoch_;
  std::uint64_t generation_ = 0;
  std::deque<PublicationPtr> held_;
};

}  // namespace herald::realtime
