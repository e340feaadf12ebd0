// LogThrottle: lets a repeated log line out at most once per interval and counts the
// ones held back, so that a condition that recurs every few milliseconds (out of file
// descriptors, a connection cap under a flood) costs one line per interval. Any
// thread (atomics only); cost per call: a clock read and one or two atomic operations.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>

namespace herald::gateway {

class LogThrottle {
 public:
  explicit LogThrottle(std::chrono::steady_clock::duration interval) : interval_(interval) {}

  /// The number of calls held back since the last allowed one when this call may log;
  /// nullopt when it must not.
  std::optional<std::uint64_t> allow(
      std::chrono::steady_clock::time_point now = std::chrono::steady_clock::now()) noexcept {
    std::int64_t t = now.time_since_epoch().count();
    std::int64_t last = last_.load(std::memory_order_relaxed);
    if (last != never && t - last < interval_.count()) {
      held_.fetch_add(1, std::memory_order_relaxed);
      return std::nullopt;
    }
    if (!last_.compare_exchange_strong(last, t)) {
      held_.fetch_add(1, std::memory_order_relaxed);
      return std::nullopt;
    }
    return held_.exchange(0, std::memory_order_relaxed);
  }

 private:
  static constexpr std::int64_t never = INT64_MIN;
  std::chrono::steady_clock::duration interval_;
  std::atomic<std::int64_t> last_{never};
  std::atomic<std::uint64_t> held_{0};
};

}  // namespace herald::gateway
