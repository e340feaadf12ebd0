// The herald binary on Sentinel: `herald serve --redis redis+sentinel://...` becomes
// ready through the sentinels and publishes to the master; after a kill -9 of the
// master it publishes again, to the promoted replica, without a restart.
#include "integration/hostile/herald_process.hpp"
#include "sentinel_setup.hpp"

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

/// Polls `done` every 20 ms until it holds or `limit` passes (an external process:
/// there is no event to wait on).
template <class Fn>
bool eventually(Fn&& done, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return done();
}

TEST(HeraldServeSentinel, ReadyPublishesAndFollowsAFailover) {
  SentinelSetup setup;
  setup.start();
  HeraldProcess herald({"--redis", setup.url()});
  ASSERT_TRUE(herald.started()) << "is build/<preset>/src/app/herald built?";
  EXPECT_TRUE(
      eventually([&] { return request(herald.port(), "GET /readyz HTTP/1.1\r\n") == 200; }, 15s));
  EXPECT_EQ(publish(herald.port(), 1), 200u);
  EXPECT_NE(setup.master().cli({"KEYS", "*"}), "") << "nothing was written to the master";

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
}

}  // namespace
}  // namespace herald::test
