// RateLimiter: a token bucket for one connection's inbound frames (rate per second,
// burst = 2 x rate), and the rule for clients that keep going while limited: more
// refused frames within one second than the rate (at least 10) means disconnect.
// Single-threaded; cost O(1) per call.
#pragma once

#include <algorithm>
#include <chrono>

namespace herald::gateway {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  enum class Verdict { allow, refuse, disconnect };

  /// rate <= 0 disables limiting.
  explicit RateLimiter(double rate, Clock::time_point now = Clock::now())
      : rate_(rate), tokens_(2 * rate), last_(now) {}

  /// Takes one token; false when the bucket is empty (the frame is rate limited).
  bool allow(Clock::time_point now = Clock::now()) {
    if (rate_ <= 0) return true;
    std::chrono::duration<double> elapsed = now - last_;
    last_ = now;
    tokens_ = std::min(2 * rate_, tokens_ + elapsed.count() * rate_);  // burst: 2 x rate
    if (tokens_ < 1) return false;
    tokens_ -= 1;
    return true;
  }

  /// allow(), and for a refused frame whether the client has now been refused more
  /// often in the current one-second window than it may be (answer 429 or close).
  Verdict admit(Clock::time_point now = Clock::now()) {
    if (allow(now)) return Verdict::allow;
    if (now - window_start_ > std::chrono::seconds(1)) {
      window_start_ = now;
      refused_in_window_ = 0;
    }
    return ++refused_in_window_ > std::max(10.0, rate_) ? Verdict::disconnect : Verdict::refuse;
  }

 private:
  // One per connection: no field that can be derived (burst = 2 x rate_).
  double rate_;
  double tokens_;
  Clock::time_point last_;
  Clock::time_point window_start_{};
  unsigned refused_in_window_ = 0;
};

}  // namespace herald::gateway
