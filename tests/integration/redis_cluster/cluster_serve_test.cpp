// The herald binary on a Redis Cluster: `herald serve --redis redis+cluster://...`
// becomes ready, and publications on channels spread over the primaries land on
// each channel's slot owner (meta and history keys next to each other).
#include "cluster_setup.hpp"
#include "integration/hostile/raw_client.hpp"
#include "redis/core/key_slot.hpp"
#include "support/eventually.hpp"
#include "support/herald_process.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <set>
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

TEST(HeraldServeCluster, ReadyAndPublishesToEachChannelsOwner) {
  ClusterSetup setup{0};
  setup.start();
  HeraldProcess herald({"--log-level", "warn", "--redis", setup.url()},
                       HeraldProcess::Options{.ready_path = "/healthz"});
  EXPECT_TRUE(
      eventually([&] { return request(herald.port(), "GET /readyz HTTP/1.1\r\n") == 200; }, 15s));
  std::set<int> owners;
  for (const std::string channel : {"news", "sport", "weather", "c1", "c2", "c3", "c4", "c5"}) {
    EXPECT_EQ(
        request(herald.port(), "POST /api/publish HTTP/1.1\r\nContent-Type: application/json\r\n",
                R"({"channel":")" + channel + R"(","data":{"n":1}})"),
        200u)
        << channel;
    RedisServer& owner = setup.owner_of(redis::key_slot(channel));
    EXPECT_EQ(owner.cli({"HGET", "herald:ch:{" + channel + "}:meta", "o"}), "1") << channel;
    owners.insert(owner.port());
  }
  EXPECT_GE(owners.size(), 2u) << "the channels should spread over the primaries";
  EXPECT_TRUE(herald.alive());
}

}  // namespace
}  // namespace herald::test
