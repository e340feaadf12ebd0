// LoginThrottle: a failure locks the address out for 1 s, doubling per consecutive
// failure up to the cap; other addresses are unaffected; a success clears it; the
// table stays bounded.
#include "gateway/access/login_throttle.hpp"

#include <gtest/gtest.h>

#include <string>

namespace herald::gateway {
namespace {

using namespace std::chrono_literals;
using Clock = LoginThrottle::Clock;

TEST(LoginThrottle, FirstAttemptIsFree) {
  LoginThrottle t;
  EXPECT_FALSE(t.wait_before("10.0.0.1", Clock::now()));
}

TEST(LoginThrottle, FailuresDoubleTheWait) {
  LoginThrottle t;
  const auto t0 = Clock::time_point{} + 1000s;
  t.failed("a", t0);
  EXPECT_EQ(t.wait_before("a", t0), 1s);
  EXPECT_EQ(t.wait_before("a", t0 + 500ms), 1s);  // rounded up
  EXPECT_FALSE(t.wait_before("a", t0 + 1s));
  EXPECT_FALSE(t.wait_before("b", t0));  // per address
  t.failed("a", t0 + 1s);
  EXPECT_EQ(t.wait_before("a", t0 + 1s), 2s);
  t.failed("a", t0 + 3s);
  EXPECT_EQ(t.wait_before("a", t0 + 3s), 4s);
  for (int i = 0; i < 20; ++i) t.failed("a", t0 + 10s);
  EXPECT_EQ(t.wait_before("a", t0 + 10s), LoginThrottle::max_delay);
}

TEST(LoginThrottle, SuccessClears) {
  LoginThrottle t;
  const auto t0 = Clock::time_point{} + 1000s;
  t.failed("a", t0);
  t.failed("a", t0 + 1s);
  t.succeeded("a");
  EXPECT_FALSE(t.wait_before("a", t0 + 1s));
  t.failed("a", t0 + 2s);
  EXPECT_EQ(t.wait_before("a", t0 + 2s), 1s);  // the doubling starts over
}

TEST(LoginThrottle, TableIsBounded) {
  LoginThrottle t;
  const auto t0 = Clock::time_point{} + 1000s;
  for (std::size_t i = 0; i < LoginThrottle::max_clients + 10; ++i)
    t.failed("10.0." + std::to_string(i), t0);
  // The newest address is tracked; the table did not grow past its bound (the oldest
  // lock-outs made room).
  EXPECT_TRUE(t.wait_before("10.0." + std::to_string(LoginThrottle::max_clients + 9), t0));
}

}  // namespace
}  // namespace herald::gateway
