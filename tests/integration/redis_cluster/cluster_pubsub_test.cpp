// Pub/Sub on a real Redis Cluster (three primaries made by ClusterSetup): shard
// channels SSUBSCRIBEd on the owners of their slots and fed by SPUBLISH through a
// cluster Pool, classic channels through any node, and a shard channel whose slot
// moves to another primary: the Subscriber reports the gap (disconnected, then
// resubscribed) and hears the channel on its new owner.
#include <herald/redis/pool.hpp>
#include <herald/redis/subscriber.hpp>

#include "cluster_setup.hpp"
#include "redis/core/key_slot.hpp"
#include "support/redis_test_util.hpp"
#include "support/run_coro.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace herald::redis {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using herald::test::ClusterSetup;
using herald::test::cmd;
using herald::test::ok;
using herald::test::run_coro;
using herald::test::Signal;
using herald::test::test_config;
using namespace std::chrono_literals;

struct Recorder {
  explicit Recorder(asio::any_io_executor ex) : signal(std::move(ex)) {}
  void attach(Subscriber& sub) {
    sub.on_message([this](const PubSubMessage& m) {
      heard.push_back(std::string(m.channel) + "=" + std::string(m.payload));
      signal.notify();
    });
    sub.on_state([this](SubscriberState s) {
      states.push_back(s);
      signal.notify();
    });
  }
  awaitable<bool> wait_heard(const std::string& what, std::chrono::milliseconds t = 10s) {
    return signal.wait([this, what] { return std::ranges::count(heard, what) > 0; }, t);
  }
  awaitable<bool> wait_state(SubscriberState s, std::size_t n, std::chrono::milliseconds t = 10s) {
    return signal.wait(
        [this, s, n] { return static_cast<std::size_t>(std::ranges::count(states, s)) >= n; }, t);
  }
  std::vector<std::string> heard;
  std::vector<SubscriberState> states;
  Signal signal;
};

std::string channel(int i) {
  return "herald:ch:{c" + std::to_string(i) + "}";
}

TEST(RedisClusterPubSub, ShardChannelsOnTheirOwnersAndClassicOnAnyNode) {
  ClusterSetup setup{0};
  setup.start();
  const int moved = 0;
  const std::uint16_t slot = key_slot(channel(moved));
  herald::test::RedisServer& from = setup.owner_of(slot);
  herald::test::RedisServer* to = nullptr;
  for (auto* p : setup.primaries())
    if (p != &from) to = p;
  ASSERT_NE(to, nullptr);
  const std::string to_id = ClusterSetup::id(*to);

  run_coro([&](asio::any_io_executor ex) -> awaitable<void> {
    Pool pool(ex, test_config(setup.url()), 1);
    Subscriber sub(ex, test_config(setup.url()));
    Recorder rec(ex);
    rec.attach(sub);
    pool.start();
    sub.start();
    CO_ASSERT_TRUE(co_await pool.wait_connected(10s));
    CO_ASSERT_TRUE(co_await sub.wait_connected(10s));

    constexpr int kChannels = 24;
    std::vector<std::string> channels;
    for (int i = 0; i < kChannels; ++i) channels.push_back(channel(i));
    sub.ssubscribe(channels);
    const std::vector<std::string> classic{"herald:control"};
    sub.subscribe(classic);
    ok(co_await sub.flush(), "flush");
    for (int i = 0; i < kChannels; ++i)
      ok(co_await pool.exec(cmd("SPUBLISH", channel(i), "m" + std::to_string(i))), "SPUBLISH");
    ok(co_await pool.exec(cmd("PUBLISH", "herald:control", "hello")), "PUBLISH");
    for (int i = 0; i < kChannels; ++i)
      CO_ASSERT_TRUE(co_await rec.wait_heard(channel(i) + "=m" + std::to_string(i))) << i;
    CO_ASSERT_TRUE(co_await rec.wait_heard("herald:control=hello"));
    // The shard subscriptions are spread: every primary holds some.
    for (auto* p : setup.primaries())
      EXPECT_NE(p->cli({"PUBSUB", "SHARDNUMSUB", channel(0), channel(1), channel(2), channel(3),
                        channel(4), channel(5), channel(6), channel(7)}),
                "")
          << p->port();

    // The slot of channel(moved) moves: the old owner drops the subscription, the
    // Subscriber says so and resubscribes on the new owner.
    for (auto* p : setup.primaries())
      EXPECT_EQ(p->cli({"CLUSTER", "SETSLOT", std::to_string(slot), "NODE", to_id}), "OK");
    CO_ASSERT_TRUE(co_await rec.wait_state(SubscriberState::disconnected, 1));
    CO_ASSERT_TRUE(co_await rec.wait_state(SubscriberState::resubscribed, 1));
    ok(co_await sub.flush(), "flush after the move");
    EXPECT_EQ(to->cli({"PUBSUB", "SHARDNUMSUB", channel(moved)}), channel(moved) + "\n1");
    ok(co_await pool.exec(cmd("SPUBLISH", channel(moved), "after")), "SPUBLISH after the move");
    CO_ASSERT_TRUE(co_await rec.wait_heard(channel(moved) + "=after"));
    sub.stop();
    pool.stop();
  });
}

}  // namespace
}  // namespace herald::redis
