// LogThrottle: one line per interval, the rest counted (explicit time points, no
// sleeping).
#include "gateway/log_throttle.hpp"

#include <gtest/gtest.h>

namespace herald::gateway {
namespace {

TEST(LogThrottle, LetsOneLineOutPerIntervalAndCountsTheRest) {
  using namespace std::chrono_literals;
  LogThrottle throttle(10s);
  std::chrono::steady_clock::time_point t0{};
  t0 += 1h;
  EXPECT_EQ(throttle.allow(t0), 0u);
  // Every 50 ms (the accept back-off) for 9.95 s: held back.
  for (int i = 1; i < 200; ++i) EXPECT_FALSE(throttle.allow(t0 + i * 50ms).has_value());
  EXPECT_EQ(throttle.allow(t0 + 10s), 199u);
  EXPECT_FALSE(throttle.allow(t0 + 10s + 1ms).has_value());
  EXPECT_EQ(throttle.allow(t0 + 30s), 1u);
}

}  // namespace
}  // namespace herald::gateway
