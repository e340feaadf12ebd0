// The herald binary on Sentinel: `herald serve --redis redis+sentinel://...` becomes
// ready through the sentinels and publishes to the master; after a kill -9 of the
// master it publishes again, to the promoted replica, without a restart. With
// --redis-wait-replicas 1 a publish answers only once the replica has the entry.
#include "integration/hostile/raw_client.hpp"
#include "sentinel_setup.hpp"
#include "support/eventually.hpp"
#include "support/herald_process.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

namespace herald::test {
namespace {

using namespace std::chrono_literals;

/// One request on a fresh connection; the status code (0 when nothing answered).
unsigned request(std::uint16_t port, const std::string& head, const std::string& body = {}) {
  try {
    RawClient c(port, 0, std::chrono::seconds(5));
    c.send_all(head + "Host: x\r\nConnection: close\r\nContent-Length: " +
               std::to_string(body.size()) + "\r\n\r\n" + body);
    return http_status(c.read_to_close());
  } catch (const std::exception&) {
    return 0;
  }
}

unsigned publish(std::uint16_t port, int n) {
  return request(port, "POST /api/publish HTTP/1.1\r\nContent-Type: application/json\r\n",
                 R"({"channel":"news","data":{"n":)" + std::to_string(n) + "}}");
}

/// GET /metrics: the whole answer ("" when nothing answered).
std::string metrics(std::uint16_t port) {
  try {
    RawClient c(port, 0, std::chrono::seconds(5));
    c.send_all("GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    return c.read_to_close();
  } catch (const std::exception&) {
    return {};
  }
}

TEST(HeraldServeSentinel, ReadyPublishesAndFollowsAFailover) {
  SentinelSetup setup;
  setup.start();
  HeraldProcess herald({"--log-level", "warn", "--redis", setup.url()},
                       HeraldProcess::Options{.ready_path = "/healthz"});
  EXPECT_TRUE(
      eventually([&] { return request(herald.port(), "GET /readyz HTTP/1.1\r\n") == 200; }, 15s));
  EXPECT_EQ(publish(herald.port(), 1), 200u);
  EXPECT_NE(setup.master().cli({"KEYS", "*"}), "") << "nothing was written to the master";
  const std::string master_addr = "127.0.0.1:" + std::to_string(setup.master().port());
  const std::string replica_addr = "127.0.0.1:" + std::to_string(setup.replica().port());
  const std::string before = metrics(herald.port());
  EXPECT_NE(before.find("herald_engine_redis_topology{kind=\"sentinel\"} 1"), std::string::npos)
      << before;
  EXPECT_NE(before.find("herald_engine_redis_primary{addr=\"" + master_addr + "\"} 1"),
            std::string::npos)
      << before;
  EXPECT_NE(before.find("herald_engine_redis_topology_changes_total 0"), std::string::npos)
      << before;

  setup.master().kill9();
  int n = 2;
  const auto killed_at = std::chrono::steady_clock::now();
  EXPECT_TRUE(eventually([&] { return publish(herald.port(), n++) == 200; }, 60s));
  const auto after = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - killed_at);
  EXPECT_LT(after, std::chrono::milliseconds(20000)) << after.count() << " ms";
  // The publication that succeeded went to the promoted replica.
  EXPECT_EQ(setup.replica().cli({"ROLE"}).substr(0, 6), "master");
  EXPECT_TRUE(
      eventually([&] { return request(herald.port(), "GET /readyz HTTP/1.1\r\n") == 200; }, 15s));
  EXPECT_TRUE(herald.alive());
  // /metrics: the promoted replica is the primary now, and the switch was counted.
  const std::string now = metrics(herald.port());
  EXPECT_NE(now.find("herald_engine_redis_primary{addr=\"" + replica_addr + "\"} 1"),
            std::string::npos)
      << now;
  EXPECT_EQ(now.find("herald_engine_redis_primary{addr=\"" + master_addr + "\"}"),
            std::string::npos)
      << now;
  EXPECT_EQ(now.find("herald_engine_redis_topology_changes_total 0"), std::string::npos) << now;
}

// WAIT 1 after the publish script: every publication that got its 200 is already on
// the replica when the answer arrives (no polling: read it at once).
TEST(HeraldServeSentinel, WaitReplicasPutsEachPublicationOnTheReplicaBeforeTheAnswer) {
  SentinelSetup setup;
  setup.start();
  HeraldProcess herald(
      {"--log-level", "warn", "--redis", setup.url(), "--redis-wait-replicas", "1"},
      HeraldProcess::Options{.ready_path = "/healthz"});
  ASSERT_TRUE(
      eventually([&] { return request(herald.port(), "GET /readyz HTTP/1.1\r\n") == 200; }, 15s));
  for (int n = 1; n <= 5; ++n) {
    ASSERT_EQ(publish(herald.port(), n), 200u) << n;
    const std::string entries = setup.replica().cli({"XRANGE", "herald:ch:{news}:hist", "-", "+"});
    EXPECT_NE(entries.find("\"n\":" + std::to_string(n)), std::string::npos)
        << "publication " << n << " not on the replica when the publish answered:\n"
        << entries;
  }
  // A WAIT with every publish script, on the master (6 here: the first EVALSHA got
  // NOSCRIPT, and the EVAL sent after it carries its own WAIT).
  const std::string stats = setup.master().cli({"INFO", "commandstats"});
  const auto at = stats.find("cmdstat_wait:calls=");
  ASSERT_NE(at, std::string::npos) << stats;
  EXPECT_GE(std::stoi(stats.substr(at + 19)), 5) << stats;
  const std::string text = metrics(herald.port());
  EXPECT_NE(text.find("herald_engine_wait_replicas_short_total 0"), std::string::npos) << text;
}

}  // namespace
}  // namespace herald::test
