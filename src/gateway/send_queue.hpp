// SendQueue: a connection's outbound frames, bounded by bytes. Frames are shared,
// immutable strings (a publication's frame is the same object for every subscriber),
// so queueing costs a pointer, never a copy. Single-threaded (shard thread).
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace herald::gateway {

struct OutboundFrame {
  std::shared_ptr<const std::string> text;
  /// Set for publications: start of the publish-to-deliver latency; epoch otherwise.
  std::chrono::steady_clock::time_point published_at{};
};

class SendQueue {
 public:
  /// `gauge` (optional) tracks the bytes queued by every queue of a shard; this
  /// queue keeps its share exact, including on destruction.
  explicit SendQueue(std::size_t max_bytes, std::atomic<std::int64_t>* gauge = nullptr)
      : max_bytes_(max_bytes), gauge_(gauge) {}
  ~SendQueue() { clear(); }
  SendQueue(const SendQueue&) = delete;
  SendQueue& operator=(const SendQueue&) = delete;

  /// Queues `frame` unless that would exceed the byte limit; false = the reader is
  /// too slow (the caller disconnects it). An empty queue always accepts one frame,
  /// so a single frame larger than the limit cannot wedge a connection. Cost: O(1).
  bool push(OutboundFrame frame);
  /// Changes the byte limit for later pushes (a WebSocket's is small until it
  /// authenticates).
  void set_limit(std::size_t max_bytes) noexcept { max_bytes_ = max_bytes; }
  std::size_t limit() const noexcept { return max_bytes_; }
  /// Publish backpressure counts only backlog that is being delivered: a queue that
  /// holds frames (queued, in flight or downstream) and has not moved for `stall` (no take(), no
  /// progressed()) belongs to a reader that stopped, and its bytes leave the gauge
  /// until it moves again. True if it left now. Cost: O(1).
  bool exclude_if_stalled(std::chrono::steady_clock::time_point now,
                          std::chrono::steady_clock::duration stall) noexcept;
  /// False while excluded from the gauge (exclude_if_stalled).
  bool counted() const noexcept { return counted_; }
  /// Moves out up to `max_frames` frames for the writer (one coalesced write). Their
  /// bytes stay in the gauge, in flight, until release_taken(): a batch being written
  /// to a slow socket is backlog too. Cost: O(frames).
  void take(std::vector<OutboundFrame>& out, std::size_t max_frames);
  /// For the writer, while a write is in flight: the socket took some of its bytes (the
  /// reader is reading), so the queue is moving, however long the whole write takes.
  /// Cost: O(1).
  void progressed(std::chrono::steady_clock::time_point now) noexcept;
  /// For the writer, when a write ended: the frames taken so far are written (or lost
  /// with the connection); their bytes leave the gauge. Cost: O(1).
  void release_taken() noexcept;
  /// For the writer: bytes past the queue, written to the socket and not yet
  /// acknowledged by the peer (the kernel's send buffer), as last sampled
  /// (sample_downstream). They count in the gauge like queued bytes: a peer that reads
  /// slower than publications arrive holds publishers back before seconds of messages
  /// sit in a buffer that no queue sees. Less than last time means the peer read, so
  /// the queue is moving. Cost: O(1).
  void set_downstream(std::size_t bytes, std::chrono::steady_clock::time_point now) noexcept;
  std::size_t downstream() const noexcept { return downstream_; }
  void clear() noexcept;

  bool empty() const noexcept { return head_ == frames_.size(); }
  /// Queued bytes (the per-connection limit applies to these, not to in_flight()).
  std::size_t bytes() const noexcept { return bytes_; }
  /// Bytes taken and not yet released (release_taken).
  std::size_t in_flight() const noexcept { return in_flight_; }
  std::size_t size() const noexcept { return frames_.size() - head_; }
  /// Frames the storage can hold without allocating (0 once drained).
  std::size_t capacity() const noexcept { return frames_.capacity(); }

 private:
  // A vector with a read index rather than a deque: an idle connection's empty queue
  // then holds no memory (a deque keeps a 512-byte block), and batches are contiguous.
  std::vector<OutboundFrame> frames_;
  std::size_t head_ = 0;  // frames_[head_..] are queued
  std::size_t bytes_ = 0;
  std::size_t in_flight_ = 0;   // taken, not yet released; still in *gauge_
  std::size_t downstream_ = 0;  // set_downstream; in *gauge_
  // What this queue puts in *gauge_ while counted.
  std::size_t counted_bytes() const noexcept { return bytes_ + in_flight_ + downstream_; }
  void account(std::int64_t delta) noexcept {
    if (gauge_ != nullptr && counted_) gauge_->fetch_add(delta, std::memory_order_relaxed);
  }

  std::size_t max_bytes_;
  std::atomic<std::int64_t>* gauge_;
  // Last take() or progressed(), or the first push into an idle queue.
  std::chrono::steady_clock::time_point moved_at_{};
  bool counted_ = true;  // counted_bytes() are in *gauge_
};

}  // namespace herald::gateway
