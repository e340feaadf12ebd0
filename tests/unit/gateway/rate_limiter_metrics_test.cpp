// RateLimiter token bucket, what its verdicts do to a connection
// (enforce_rate_limit), and the Prometheus rendering of Metrics.
#include "gateway/connection.hpp"
#include "gateway/metrics.hpp"
#include "gateway/rate_limit_enforcement.hpp"
#include "gateway/rate_limiter.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>

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

// A connection that records what is done to it.
class RecordingConnection final : public Connection {
 public:
  void on_publication(const realtime::PublicationPtr&) override {}
  void close(int code, std::string_view reason, bool reconnect) override {
    closes.push_back({code, std::string(reason), reconnect});
  }
  void exclude_if_stalled(std::chrono::steady_clock::time_point,
                          std::chrono::steady_clock::duration) noexcept override {}
  const std::string& id() const noexcept override { return id_; }
  const std::string& user() const noexcept override { return user_; }

  struct Close {
    int code;
    std::string reason;
    bool reconnect;
  };
  std::vector<Close> closes;

 private:
  std::string id_ = "c1";
  std::string user_ = "ann";
};

// The WebSocket and Socket.IO sessions both go through enforce_rate_limit: allowed
// frames are untouched, refused ones counted, and the disconnect verdict is counted,
// logged (rate_limit_disconnect with the transport) and closes with 1008.
TEST(RateLimitEnforcement, CountsRefusalsAndClosesWith1008) {
  std::ostringstream out;
  auto logger = std::make_shared<spdlog::logger>(
      "rate_limit_test", std::make_shared<spdlog::sinks::ostream_sink_mt>(out));
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(logger);
  ShardMetrics metrics;
  RecordingConnection c;
  EXPECT_FALSE(enforce_rate_limit(RateLimiter::Verdict::allow, c, "ws", metrics));
  EXPECT_EQ(metrics.rate_limited.load(), 0u);
  EXPECT_TRUE(enforce_rate_limit(RateLimiter::Verdict::refuse, c, "ws", metrics));
  EXPECT_EQ(metrics.rate_limited.load(), 1u);
  EXPECT_TRUE(c.closes.empty());
  EXPECT_TRUE(out.str().empty());
  EXPECT_TRUE(enforce_rate_limit(RateLimiter::Verdict::disconnect, c, "socketio", metrics));
  spdlog::set_default_logger(previous);
  EXPECT_EQ(metrics.rate_limited.load(), 2u);
  ASSERT_EQ(c.closes.size(), 1u);
  EXPECT_EQ(c.closes[0].code, 1008);
  EXPECT_EQ(c.closes[0].reason, "rate limit exceeded");
  EXPECT_TRUE(c.closes[0].reconnect);
  const std::string line = out.str();
  EXPECT_NE(line.find("conn=c1"), std::string::npos) << line;
  EXPECT_NE(line.find("transport=socketio"), std::string::npos) << line;
  EXPECT_NE(line.find("user=ann"), std::string::npos) << line;
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
