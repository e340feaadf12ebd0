// PipelineQueue: the sans-io heart of a pipelined connection. It remembers, in send
// order, which caller is owed which replies, and hands each finished request back
// with its replies. The Asio connection only moves bytes and completes handlers.
//
// Invariants:
//   * Entries are in the order their bytes were written; the server answers in the
//     same order, so replies always belong to the front entry.
//   * A timed-out entry stays in the queue, abandoned (no handler), until the server
//     sends its replies, which are then dropped; this keeps later replies aligned.
// Thread: single-threaded, owned by one connection.
// Cost: O(1) per reply; expire() is O(entries).
#pragma once

#include <herald/redis/reply.hpp>

#include <chrono>
#include <cstddef>
#include <deque>
#include <optional>
#include <utility>
#include <vector>

namespace herald::redis {

template <class Handler>
class PipelineQueue {
 public:
  using Clock = std::chrono::steady_clock;

  struct Finished {
    Handler handler;
    std::vector<Reply> replies;
  };

  /// A request of `expected` commands was written (or queued for writing).
  void push(std::size_t expected, Clock::time_point deadline, Handler handler) {
    Entry e{expected, {}, deadline, std::move(handler)};
    e.replies.reserve(expected);
    entries_.push_back(std::move(e));
  }

  /// Feeds the next reply from the server. Returns the front request when this
  /// reply completed it and it still has a caller. A reply with no entry waiting is
  /// a protocol violation: `unexpected` is set and the reply is dropped.
  std::optional<Finished> on_reply(Reply reply, bool& unexpected) {
    unexpected = false;
    if (entries_.empty()) {
      unexpected = true;
      return std::nullopt;
    }
    Entry& front = entries_.front();
    if (front.handler) front.replies.push_back(std::move(reply));
    if (++front.received < front.expected) return std::nullopt;
    std::optional<Finished> done;
    if (front.handler) done = Finished{std::move(*front.handler), std::move(front.replies)};
    entries_.pop_front();
    return done;
  }

  /// Abandons every entry whose deadline passed; returns their handlers so the
  /// caller can complete them with a timeout. The entries stay (see invariants).
  std::vector<Handler> expire(Clock::time_point now) {
    std::vector<Handler> expired;
    for (Entry& e : entries_) {
      if (e.handler && e.deadline <= now) {
        expired.push_back(std::move(*e.handler));
        e.handler.reset();
        e.replies.clear();
      }
    }
    return expired;
  }

  /// The connection died: every handler still waiting, and an empty queue.
  std::vector<Handler> fail_all() {
    std::vector<Handler> failed;
    for (Entry& e : entries_)
      if (e.handler) failed.push_back(std::move(*e.handler));
    entries_.clear();
    return failed;
  }

  /// Requests written and not fully answered (abandoned ones included).
  std::size_t size() const noexcept { return entries_.size(); }
  bool empty() const noexcept { return entries_.empty(); }
  /// The earliest deadline of an entry that still has a caller.
  std::optional<Clock::time_point> earliest_deadline() const noexcept {
    std::optional<Clock::time_point> best;
    for (const Entry& e : entries_)
      if (e.handler && (!best || e.deadline < *best)) best = e.deadline;
    return best;
  }

 private:
  struct Entry {
    std::size_t expected;
    std::vector<Reply> replies;
    Clock::time_point deadline;
    std::optional<Handler> handler;
    std::size_t received = 0;
  };
  std::deque<Entry> entries_;
};

}  // namespace herald::redis
