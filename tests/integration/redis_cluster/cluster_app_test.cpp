// The cache and the Redis engine, unchanged, on a real Redis Cluster (three
// primaries made by ClusterSetup): the topology is the URL's business only.
// Cache: get_or_set through L2 across two nodes, tag invalidation over the bus,
// namespace invalidation and clear (SCAN on every primary). Engine: publish and
// subscribe on channels spread over every primary, ingest through herald:ingest,
// and a live channel whose slot (with its keys) is resharded to another primary
// between publishes: every offset arrives, in order, with no loss marker; and a
// primary killed (-9) under publish load: publishing resumes on the promoted
// replica and the subscriber's sequence has no silent gap (consecutive offsets, or
// a loss marker before a jump). With wait_replicas, each publication is on the
// replica of its channel's primary when publish() returns.
#include <herald/realtime/redis_engine.hpp>
#include <herald/redis/connection.hpp>
#include <herald/redis/reply.hpp>

#include "cluster_setup.hpp"
#include "integration/cache/cache_test_util.hpp"
#include "redis/core/key_slot.hpp"
#include "support/redis_test_util.hpp"
#include "support/run_coro.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>

namespace herald {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using herald::test::ClusterSetup;
using herald::test::run_coro;
using namespace std::chrono_literals;

TEST(RedisClusterCache, GetOrSetAndInvalidationAcrossNodes) {
  using namespace herald::cache;
  using namespace herald::cache::test;
  ClusterSetup setup{0};
  setup.start();
  run_coro([&](asio::any_io_executor ex) -> awaitable<void> {
    Node a(ex, setup.url());
    Node b(ex, setup.url());
    CO_ASSERT_TRUE(co_await a.ready());
    CO_ASSERT_TRUE(co_await b.ready());
    const std::string key = "items:item:1";
    const auto tagged = plain_policy({"items:1"});
    TestLoader loader(ex);
    auto first = co_await a.cache.get_or_set(key, loader.loader(), tagged);
    CO_ASSERT_TRUE(first.has_value());
    EXPECT_EQ(first->source, CacheSource::loader);
    auto second = co_await b.cache.get_or_set(key, loader.loader(), tagged);
    CO_ASSERT_TRUE(second.has_value());
    EXPECT_EQ(second->source, CacheSource::l2);
    EXPECT_EQ(second->value, "v#1");

    const std::vector<std::string> tags{"items:1"};
    CO_ASSERT_TRUE((co_await a.cache.invalidate_tags(tags)).has_value());
    CO_ASSERT_TRUE(co_await b.wait_heard("items:1"));
    auto third = co_await b.cache.get_or_set(key, loader.loader(), tagged);
    CO_ASSERT_TRUE(third.has_value());
    EXPECT_EQ(third->source, CacheSource::loader);
    EXPECT_EQ(third->value, "v#2");

    for (int i = 0; i < 20; ++i)
      co_await a.cache.set("ns:item:" + std::to_string(i), "x", plain_policy());
    auto dropped = co_await a.cache.invalidate_namespace("ns");
    CO_ASSERT_TRUE(dropped.has_value());
    EXPECT_EQ(*dropped, 20u);
    auto cleared = co_await a.cache.clear();
    CO_ASSERT_TRUE(cleared.has_value());
    EXPECT_GE(*cleared, 1u);  // items:item:1
  });
  // Every key of the cache is on the owner of {herald:cache}'s slot (clear() bumped
  // the generation there).
  EXPECT_EQ(setup.owner_of(redis::key_slot("herald:cache"))
                .cli({"EXISTS", cache::CacheLayout(cache::CacheConfig{}.prefix).generation()}),
            "1");
}

/// Records deliveries (called on the engine thread).
struct Sink : realtime::DeliverySink {
  mutable std::mutex mutex;
  std::map<std::string, std::vector<std::uint64_t>> offsets;  ///< 0: a loss marker
  void deliver(std::size_t, const realtime::PublicationPtr& p) override {
    std::lock_guard g(mutex);
    offsets[p->channel].push_back(p->kind == realtime::Publication::Kind::lost ? 0 : p->offset);
  }
  void disconnect_user(const std::string&) override {}
  std::vector<std::uint64_t> of(const std::string& channel) const {
    std::lock_guard g(mutex);
    auto it = offsets.find(channel);
    return it == offsets.end() ? std::vector<std::uint64_t>{} : it->second;
  }
};

template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds limit = 20s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

std::vector<std::uint64_t> one_to(std::uint64_t n) {
  std::vector<std::uint64_t> v;
  for (std::uint64_t i = 1; i <= n; ++i) v.push_back(i);
  return v;
}

realtime::RedisEngineOptions engine_options(const std::string& url, bool ingest) {
  realtime::RedisEngineOptions o;
  o.redis = herald::test::test_config(url);
  o.ingest = ingest;
  o.pubsub = realtime::RedisEngineOptions::PubSub::sharded;
  return o;
}

TEST(RedisClusterEngine, PublishSubscribeIngestAndAReshardedChannel) {
  ClusterSetup setup{0};
  setup.start();
  Sink sink_a;
  Sink sink_b;
  realtime::RedisEngine a(engine_options(setup.url(), true), sink_a);
  realtime::RedisEngine b(engine_options(setup.url(), false), sink_b);
  ASSERT_TRUE(eventually([&] { return a.ready() && b.ready(); }));

  const std::vector<std::string> channels{"news", "sport", "weather", "c1", "c2", "c3"};
  constexpr int kFirst = 10;
  run_coro([&](asio::any_io_executor) -> awaitable<void> {
    for (const auto& c : channels) CO_ASSERT_TRUE((co_await a.subscribe(c, 0, std::nullopt)));
    for (int i = 1; i <= kFirst; ++i)
      for (const auto& c : channels)
        CO_ASSERT_TRUE((co_await b.publish(c, "{\"i\":" + std::to_string(i) + "}")).has_value());
  });
  for (const auto& c : channels)
    ASSERT_TRUE(eventually([&] { return sink_a.of(c).size() == kFirst; })) << c;
  for (const auto& c : channels) EXPECT_EQ(sink_a.of(c), one_to(kFirst)) << c;

  // Ingest: an XADD to herald:ingest (on its slot's owner) is published by engine a.
  const std::uint16_t ingest_slot = redis::key_slot("herald:ingest");
  setup.owner_of(ingest_slot)
      .cli({"XADD", "herald:ingest", "*", "channel", "news", "data", "{\"from\":\"ingest\"}"});
  ASSERT_TRUE(eventually([&] { return sink_a.of("news").size() == kFirst + 1; }));

  // Reshard the live channel "sport" (meta, history and feed share its slot).
  const std::uint16_t slot = redis::key_slot("sport");
  herald::test::RedisServer& from = setup.owner_of(slot);
  herald::test::RedisServer* to = nullptr;
  for (auto* p : setup.primaries())
    if (p != &from) to = p;
  ASSERT_NE(to, nullptr);
  setup.move_slot(slot, *to);
  run_coro([&](asio::any_io_executor ex) -> awaitable<void> {
    for (int i = kFirst + 1; i <= 2 * kFirst;) {
      auto r = co_await b.publish("sport", "{\"i\":" + std::to_string(i) + "}");
      if (!r) {  // the engine may be briefly not ready while it follows the move
        asio::steady_timer t{ex};
        t.expires_after(20ms);
        co_await t.async_wait(asio::use_awaitable);
        continue;
      }
      ++i;
    }
  });
  ASSERT_TRUE(eventually([&] {
    auto o = sink_a.of("sport");
    return !o.empty() && o.back() == 2 * kFirst;
  })) << sink_a.of("sport").size();
  EXPECT_EQ(sink_a.of("sport"), one_to(2 * kFirst)) << "in order, exactly once, no loss marker";
  EXPECT_EQ(to->cli({"EXISTS", "herald:ch:{sport}:meta"}), "1");
}

// wait_replicas = 1: WAIT goes with the script to the primary that owns the channel's
// slot, so each publication is on that primary's replica when publish() returns.
TEST(RedisClusterEngine, WaitReplicasReachesTheReplicaOfTheChannelsPrimary) {
  ClusterSetup setup{1};
  setup.start();
  Sink sink;
  auto options = engine_options(setup.url(), false);
  options.wait_replicas = 1;
  realtime::RedisEngine engine(std::move(options), sink);
  ASSERT_TRUE(eventually([&] { return engine.ready(); }));
  for (const std::string channel : {"news", "sport", "weather"}) {
    herald::test::RedisServer& primary = setup.owner_of(redis::key_slot(channel));
    herald::test::RedisServer* replica = nullptr;
    for (std::size_t i = 0; i < setup.size(); ++i) {
      // ROLE of a replica: "slave", its primary's host, its primary's port, ...
      const std::string role = setup.node(i).cli({"ROLE"});
      if (role.starts_with("slave") &&
          role.find("\n" + std::to_string(primary.port()) + "\n") != std::string::npos)
        replica = &setup.node(i);
    }
    ASSERT_NE(replica, nullptr) << channel;
    for (int i = 1; i <= 3; ++i) {
      std::string entries;
      run_coro([&](asio::any_io_executor ex) -> awaitable<void> {
        CO_ASSERT_TRUE(
            (co_await engine.publish(channel, "{\"i\":" + std::to_string(i) + "}")).has_value());
        // A replica answers keyed reads only after READONLY (else -MOVED).
        redis::Connection r{
            ex, herald::test::test_config("redis://127.0.0.1:" + std::to_string(replica->port()))};
        r.start();
        CO_ASSERT_TRUE(co_await r.wait_connected(5s));
        redis::Request read;
        read.push("READONLY");
        read.push("XRANGE", "herald:ch:{" + channel + "}:hist", "-", "+");
        auto reply = co_await r.exec(read);
        CO_ASSERT_TRUE(reply.has_value());
        entries = redis::to_string(*reply);
      });
      EXPECT_NE(entries.find("\"" + std::to_string(i) + "-0\""), std::string::npos)
          << channel << " " << i << " not on the replica at once:\n"
          << entries;
    }
  }
  EXPECT_EQ(engine.stats().wait_short, 0u);
  EXPECT_EQ(engine.stats().published, 9u);
}

TEST(RedisClusterEngine, PrimaryKilledUnderPublishLoadLosesNothingSilently) {
  ClusterSetup setup{1};
  setup.start();
  const std::string channel = "k";
  herald::test::RedisServer& victim = setup.owner_of(redis::key_slot(channel));
  // The victim is the only seed: the map and the classic Pub/Sub session must move
  // on to the nodes the cluster named.
  const std::string url = "redis+cluster://127.0.0.1:" + std::to_string(victim.port());
  Sink sink_a;
  Sink sink_b;
  realtime::RedisEngine a(engine_options(url, false), sink_a);
  realtime::RedisEngine b(engine_options(url, false), sink_b);
  ASSERT_TRUE(eventually([&] { return a.ready() && b.ready(); }));
  const std::string victim_addr = "127.0.0.1:" + std::to_string(victim.port());
  const std::string before = b.prometheus();
  EXPECT_NE(before.find("herald_engine_redis_topology{kind=\"cluster\"} 1"), std::string::npos)
      << before;
  EXPECT_NE(before.find("herald_engine_redis_primary{addr=\"" + victim_addr + "\"} 1"),
            std::string::npos)
      << before;
  EXPECT_EQ(b.topology().primaries.size(), 3u);
  EXPECT_EQ(b.topology().changes, 0u);
  constexpr int kTotal = 120;
  constexpr int kKillAt = 40;
  std::uint64_t last_offset = 0;
  run_coro(
      [&](asio::any_io_executor ex) -> awaitable<void> {
        CO_ASSERT_TRUE((co_await a.subscribe(channel, 0, std::nullopt)));
        for (int i = 1; i <= kTotal;) {
          if (i == kKillAt && victim.running()) victim.kill9();
          auto r = co_await b.publish(channel, "{\"i\":" + std::to_string(i) + "}");
          if (!r) {  // until the replica is promoted and the map names it
            asio::steady_timer t{ex};
            t.expires_after(20ms);
            co_await t.async_wait(asio::use_awaitable);
            continue;
          }
          last_offset = r->offset;
          ++i;
        }
      },
      90s);
  ASSERT_TRUE(eventually([&] {
    auto o = sink_a.of(channel);
    return !o.empty() && o.back() == last_offset;
  })) << sink_a.of(channel).size();
  // Both engines are whole again: Pub/Sub included (its only seed is dead).
  EXPECT_TRUE(eventually([&] { return a.ready() && b.ready(); }));
  const auto offsets = sink_a.of(channel);
  for (std::size_t i = 1; i < offsets.size(); ++i) {
    if (offsets[i] == 0 || offsets[i - 1] == 0) continue;  // a loss marker, then anything
    EXPECT_EQ(offsets[i], offsets[i - 1] + 1) << "silent gap at delivery " << i;
  }
  // /metrics: the failover was seen, and the promoted replica is a primary instead.
  const redis::Topology t = b.topology();
  EXPECT_GE(t.changes, 1u);
  EXPECT_EQ(std::count(t.primaries.begin(), t.primaries.end(), victim_addr), 0);
  const std::string promoted =
      "127.0.0.1:" + std::to_string(setup.owner_of(redis::key_slot(channel)).port());
  EXPECT_EQ(std::count(t.primaries.begin(), t.primaries.end(), promoted), 1);
  const std::string after = b.prometheus();
  EXPECT_NE(after.find("herald_engine_redis_primary{addr=\"" + promoted + "\"} 1"),
            std::string::npos)
      << after;
  EXPECT_EQ(after.find("herald_engine_redis_topology_changes_total 0"), std::string::npos) << after;
}

}  // namespace
}  // namespace herald
