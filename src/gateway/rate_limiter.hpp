// RateLimiter: a token bucket for one connection's inbound frames (rate per second,
// burst = 2 x rate). Single-threaded; cost O(1) per call.
#pragma once

#include <algorithm>
#include <chrono>

namespace herald::gateway {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  /// rate <= 0 disables limiting.
  explicit RateLimiter(double rate, Clock::time_point now = Clock::now())
      : rate_(rate), burst_(2 * rate), tokens_(2 * rate), last_(now) {}

  /// Takes one token; false when the bucket is empty (the frame is rate limited).
  bool allow(Clock::time_point now = Clock::now()) {
    if (rate_ <= 0) return true;
    std::chrono::duration<double> elapsed = now - last_;
    last_ = now;
    tokens_ = std::min(burst_, tokens_ + elapsed.count() * rate_);
    if (tokens_ < 1) return false;
    tokens_ -= 1;
    return true;
  }

 private:
  double rate_;
  double burst_;
  double tokens_;
  Clock::time_point last_;
};

}  // namespace herald::gateway
