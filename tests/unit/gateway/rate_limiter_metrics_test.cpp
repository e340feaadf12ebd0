// RateLimiter token bucket and the Prometheus rendering of Metrics.
#include "gateway/metrics.hpp"
#include "gateway/rate_limiter.hpp"

#include <gtest/gtest.h>

namespace herald::gateway {
namespace {

using namespace std::chrono_literals;

TEST(RateLimiter, BurstThenRate) {
  auto t = RateLimiter::Clock::now();
  RateLimiter r(10, t);  // burst 20
  int allowed = 0;
  for (int i = 0; i < 30; ++i) allowed += r.allow(t) ? 1 : 0;
  EXPECT_EQ(allowed, 20);
  EXPECT_FALSE(r.allow(t));
  EXPECT_TRUE(r.allow(t + 100ms));  // one token per 100 ms
  EXPECT_FALSE(r.allow(t + 100ms));
}

TEST(RateLimiter, KeepingOnWhileLimitedMeansDisconnect) {
  auto t = RateLimiter::Clock::now();
  RateLimiter r(5, t);  // burst 10; tolerance max(10, 5) = 10 refusals per second
  for (int i = 0; i < 10; ++i) ASSERT_EQ(r.admit(t), RateLimiter::Verdict::allow);
  for (int i = 0; i < 10; ++i) ASSERT_EQ(r.admit(t + 1ms), RateLimiter::Verdict::refuse) << i;
  EXPECT_EQ(r.admit(t + 2ms), RateLimiter::Verdict::disconnect);
  // A new window after a second of refusals: counted afresh (and the bucket refilled).
  EXPECT_EQ(r.admit(t + 1100ms), RateLimiter::Verdict::allow);
  RateLimiter fast(100, t);  // tolerance follows the rate above 10
  for (int i = 0; i < 200; ++i) ASSERT_EQ(fast.admit(t), RateLimiter::Verdict::allow);
  for (int i = 0; i < 100; ++i) ASSERT_EQ(fast.admit(t), RateLimiter::Verdict::refuse) << i;
  EXPECT_EQ(fast.admit(t), RateLimiter::Verdict::disconnect);
}

TEST(RateLimiter, ZeroDisables) {
  RateLimiter r(0);
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(r.allow());
}

TEST(Metrics, RendersSumsAndHistogram) {
  Metrics m(2);
  m.shard(0).connections += 2;
  m.shard(1).connections += 3;
  m.shard(0).messages_out += 7;
  m.shard(1).observe_latency(300us);
  m.shard(1).observe_latency(5s);
  auto text = m.render(4);
  EXPECT_NE(text.find("herald_connections 5\n"), std::string::npos) << text;
  EXPECT_NE(text.find("herald_messages_out_total 7\n"), std::string::npos);
  EXPECT_NE(text.find("herald_channels 4\n"), std::string::npos);
  EXPECT_NE(text.find("herald_publish_deliver_latency_seconds_bucket{le=\"0.0005\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("herald_publish_deliver_latency_seconds_bucket{le=\"+Inf\"} 2\n"),
            std::string::npos);
  EXPECT_NE(text.find("herald_publish_deliver_latency_seconds_count 2\n"), std::string::npos);
  EXPECT_EQ(m.render(-1).find("herald_channels"), std::string::npos);
}

}  // namespace
}  // namespace herald::gateway
