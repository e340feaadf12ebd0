// SendQueue: byte-bounded FIFO of shared frames, and the connection's share of the
// shard's queued-bytes gauge (queued, in flight and downstream, unless stalled).
#include "gateway/send_queue.hpp"

namespace herald::gateway {

bool SendQueue::push(OutboundFrame frame) {
  std::size_t n = frame.text->size();
  if (!empty() && bytes_ + n > max_bytes_) return false;
  if (empty() && in_flight_ == 0 && downstream_ == 0) {
    // The clock starts when frames start waiting (a publication carries its time).
    moved_at_ = frame.published_at != std::chrono::steady_clock::time_point{}
                    ? frame.published_at
                    : std::chrono::steady_clock::now();
  }
  bytes_ += n;
  account(static_cast<std::int64_t>(n));
  frames_.push_back(std::move(frame));
  return true;
}

void SendQueue::take(std::vector<OutboundFrame>& out, std::size_t max_frames) {
  progressed(std::chrono::steady_clock::now());
  while (head_ < frames_.size() && out.size() < max_frames) {
    OutboundFrame& f = frames_[head_++];
    bytes_ -= f.text->size();
    in_flight_ += f.text->size();  // still in the gauge
    out.push_back(std::move(f));
  }
  if (head_ == frames_.size()) {
    // Drained: the storage goes too (an idle connection holds none; the next burst
    // costs one allocation).
    std::vector<OutboundFrame>().swap(frames_);
    head_ = 0;
  } else if (head_ > frames_.size() / 2) {
    frames_.erase(frames_.begin(), frames_.begin() + static_cast<std::ptrdiff_t>(head_));
    head_ = 0;
  }
}

void SendQueue::progressed(std::chrono::steady_clock::time_point now) noexcept {
  if (!counted_) {  // moving again: back in the gauge
    counted_ = true;
    account(static_cast<std::int64_t>(counted_bytes()));
  }
  moved_at_ = now;
}

void SendQueue::set_downstream(std::size_t bytes,
                               std::chrono::steady_clock::time_point now) noexcept {
  if (bytes < downstream_) {
    progressed(now);  // the peer read
  } else if (counted_bytes() == 0) {
    moved_at_ = now;  // a backlog starts: the stall clock with it
  }
  account(static_cast<std::int64_t>(bytes) - static_cast<std::int64_t>(downstream_));
  downstream_ = bytes;
}

void SendQueue::release_taken() noexcept {
  account(-static_cast<std::int64_t>(in_flight_));
  in_flight_ = 0;
}

bool SendQueue::exclude_if_stalled(std::chrono::steady_clock::time_point now,
                                   std::chrono::steady_clock::duration stall) noexcept {
  if (!counted_ || counted_bytes() == 0 || now - moved_at_ < stall) return false;
  account(-static_cast<std::int64_t>(counted_bytes()));
  counted_ = false;
  return true;
}

void SendQueue::clear() noexcept {
  account(-static_cast<std::int64_t>(counted_bytes()));
  counted_ = true;
  std::vector<OutboundFrame>().swap(frames_);  // releases the memory, cannot throw
  head_ = 0;
  bytes_ = 0;
  in_flight_ = 0;
  downstream_ = 0;
}

}  // namespace herald::gateway
