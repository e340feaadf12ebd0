// The HTTP cache gateway across a cluster: two `herald serve --redis --upstream`
// nodes on one redis-server in front of one upstream. 1,000 cold requests to both
// nodes at once make one upstream request; a tag invalidated on one node drops the answer on
// both and reaches a WebSocket subscriber of the other.
#include "integration/proxy/fetched.hpp"
#include "integration/proxy/upstream_server.hpp"
#include "support/herald_process.hpp"
#include "support/redis_server.hpp"
#include "support/test_clients.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <future>

namespace herald::test {
namespace {

class ProxyCluster : public ::testing::Test {
 protected:
  void SetUp() override {
    redis_.start();
    upstream_ = std::make_unique<UpstreamServer>([this](const UpstreamRequest& r) {
      const std::string n = std::to_string(++seq_);
      if (r.target == "/slow") {
        std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the app is slow
        return UpstreamServer::ok("v" + n, "Cache-Control: max-age=60\r\n");
      }
      return UpstreamServer::ok("v" + n,
                                "Cache-Control: s-maxage=60\r\nSurrogate-Key: products\r\n");
    });
    const std::vector<std::string> args{"--log-level", "warn",          "--threads",
                                        "2",           "--redis",       redis_.url(),
                                        "--upstream",  upstream_->url()};
    a_ = std::make_unique<HeraldProcess>(args);
    b_ = std::make_unique<HeraldProcess>(args);
  }
  /// A counter's value on `node`'s /metrics (0 when absent).
  static std::uint64_t counter(HeraldProcess& node, const std::string& name) {
    const std::string m = fetch(node.port(), "/metrics").body;
    const auto at = m.find("\n" + name + " ");
    return at == std::string::npos ? 0 : std::stoull(m.substr(at + name.size() + 2));
  }
  /// Same Host on both nodes, as behind a load balancer.
  Fetched get(HeraldProcess& node, const std::string& target) {
    return fetch(node.port(), target, {{"Host", "shop.example"}});
  }
  RedisServer redis_;
  std::atomic<int> seq_{0};
  std::unique_ptr<UpstreamServer> upstream_;
  std::unique_ptr<HeraldProcess> a_, b_;
};

TEST_F(ProxyCluster, ColdRequestsThroughTwoNodesMakeOneUpstreamRequest) {
  // 1,000 clients at once, half on each node, for one cold URL whose upstream takes
  // 300 ms: one upstream request for the whole cluster.
  const auto all =
      fetch_at_once({a_->port(), b_->port()}, "/slow", 1000, {{"Host", "shop.example"}});
  std::size_t ok = 0;
  for (const auto& r : all) {
    if (r.status != 200) continue;
    ++ok;
    EXPECT_EQ(r.body, all[0].body);
  }
  EXPECT_EQ(ok, all.size());
  EXPECT_EQ(upstream_->count("/slow"), 1u);
  // Requests behind the first one on their node were answered by their own shards
  // from its copy (WaitingList), not each through the cache's thread.
  std::uint64_t waited = 0;
  for (HeraldProcess* node : {a_.get(), b_.get()})
    waited += counter(*node, "herald_proxy_waited_total");
  EXPECT_GT(waited, 0u);
}

TEST_F(ProxyCluster, InvalidationOnOneNodeDropsBothAndReachesSubscribers) {
  WsClient ws(b_->port());
  ASSERT_TRUE(ws.connected());
  ws.next();
  ws.send(R"({"type":"subscribe","channel":"tag:products","id":1})");
  ASSERT_EQ(ws.next_of_type("reply", 10s).at("id").as_int64(), 1);

  auto first = get(*a_, "/list");
  EXPECT_EQ(get(*b_, "/list").body, first.body);  // B reads A's answer from Redis
  // Read again: now from the answers each node's shards hold (FreshAnswerTable).
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(get(*a_, "/list").body, first.body);
    EXPECT_EQ(get(*b_, "/list").body, first.body);
  }
  EXPECT_EQ(upstream_->count("/list"), 1u);

  auto r = fetch(a_->port(), "/api/invalidate", {}, http::verb::post, R"({"tags":["products"]})");
  EXPECT_EQ(r.status, 200u);
  auto frame = ws.next_of_type("invalidate", 10s);
  ASSERT_TRUE(frame.is_object());
  EXPECT_EQ(frame.at("tags").at(0).as_string(), "products");

  auto after = get(*b_, "/list");
  EXPECT_NE(after.body, first.body);
  EXPECT_EQ(upstream_->count("/list"), 2u);
  EXPECT_EQ(get(*a_, "/list").body, after.body);
  EXPECT_EQ(upstream_->count("/list"), 2u);
}

}  // namespace
}  // namespace herald::test
