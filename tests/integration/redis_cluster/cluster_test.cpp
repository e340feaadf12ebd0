// redis+cluster:// against a real Redis Cluster on loopback (three primaries, one
// replica each, made by ClusterSetup): keys spread over every primary through one
// Pool, scripts (EVALSHA with the NOSCRIPT fallback, SCRIPT LOAD on every primary),
// MULTI/EXEC in one slot, SCAN over every primary, and a slot migrated under a live
// Pool (ASK while it migrates, MOVED once it has moved).
#include <herald/redis/pool.hpp>
#include <herald/redis/scan.hpp>
#include <herald/redis/script.hpp>

#include "cluster_setup.hpp"
#include "redis/core/key_slot.hpp"
#include "support/free_port.hpp"
#include "support/redis_test_util.hpp"
#include "support/run_coro.hpp"

#include <gtest/gtest.h>

#include <set>
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
using herald::test::str;
using herald::test::test_config;
using namespace std::chrono_literals;

TEST(RedisCluster, KeysSpreadOverEveryPrimaryThroughOnePool) {
  ClusterSetup setup;
  setup.start();
  // A dead seed first: discovery moves on to the next one.
  const std::string url =
      "redis+cluster://127.0.0.1:" + std::to_string(herald::test::free_loopback_port()) + "," +
      setup.seed(1);
  run_coro([&](asio::any_io_executor ex) -> awaitable<void> {
    Pool pool(ex, test_config(url), 2);
    pool.start();
    CO_ASSERT_TRUE(co_await pool.wait_connected(10s));
    constexpr int kKeys = 300;
    for (int i = 0; i < kKeys; ++i)
      ok(co_await pool.exec(cmd("SET", "k:" + std::to_string(i), i)), "SET");
    for (int i = 0; i < kKeys; ++i)
      EXPECT_EQ(str(ok(co_await pool.exec(cmd("GET", "k:" + std::to_string(i))))),
                std::to_string(i));

    // Keyless commands go to some primary.
    EXPECT_EQ(str(ok(co_await pool.exec(cmd("PING")))), "PONG");

    // A script on a key (EVALSHA, NOSCRIPT, then EVAL on the key's owner).
    Script get(std::string("return redis.call('GET', KEYS[1])"));
    const std::vector<std::string> keys(1, std::string("k:7"));
    const std::vector<std::string> no_args;
    auto r = co_await get.run(pool.pick(), keys, no_args);
    EXPECT_EQ(str(ok(std::move(r))), "7");
    // SCRIPT LOAD goes to every primary.
    Script incr(std::string("return redis.call('INCR', KEYS[1])"));
    EXPECT_EQ(str(ok(co_await pool.exec(cmd("SCRIPT", "LOAD", incr.source())))), incr.sha1());

    // MULTI/EXEC on one slot (hash tag).
    Request tx;
    tx.push("MULTI").push("SET", "{tx}a", "1").push("INCR", "{tx}a").push("EXEC");
    auto exec = ok(co_await pool.exec(tx));
    CO_ASSERT_TRUE(exec.is_array());
    EXPECT_EQ(exec.elements.at(1).integer, 2);

    // SCAN visits every primary.
    std::set<std::string> seen;
    ScanCursor scan{pool.pick(), "k:*", 50};
    while (!scan.done())
      for (auto& k : ok(co_await scan.next(), "SCAN")) seen.insert(std::move(k));
    EXPECT_EQ(seen.size(), static_cast<std::size_t>(kKeys));
    pool.stop();
  });

  const auto primaries = setup.primaries();
  ASSERT_EQ(primaries.size(), 3u);
  long total = 0;
  for (auto* p : primaries) {
    const long n = std::stol(p->cli({"DBSIZE"}));
    EXPECT_GT(n, 10) << "primary on port " << p->port() << " got too few keys";
    total += n;
    EXPECT_EQ(p->cli({"SCRIPT", "EXISTS", Script{"return redis.call('INCR', KEYS[1])"}.sha1()}),
              "1");
  }
  EXPECT_EQ(total, 300 + 1);  // and {tx}a
  // Our slots are Redis's slots.
  for (std::string key : {"k:1", "herald:ch:{news}:meta", "{herald:cache}:e:x", "herald:ingest"})
    EXPECT_EQ(setup.node(0).cli({"CLUSTER", "KEYSLOT", key}), std::to_string(key_slot(key))) << key;
}

TEST(RedisCluster, AskWhileASlotMigratesAndMovedOnceItMoved) {
  ClusterSetup setup{0};  // primaries only: the migration is the subject here
  setup.start();
  const std::uint16_t slot = key_slot("mv");
  herald::test::RedisServer& from = setup.owner_of(slot);
  herald::test::RedisServer* to_ptr = nullptr;
  for (auto* p : setup.primaries())
    if (p != &from) to_ptr = p;
  ASSERT_NE(to_ptr, nullptr);
  herald::test::RedisServer& to = *to_ptr;
  const std::string from_id = ClusterSetup::id(from);
  const std::string to_id = ClusterSetup::id(to);

  run_coro([&](asio::any_io_executor ex) -> awaitable<void> {
    Pool pool(ex, test_config(setup.url()), 1);
    pool.start();
    CO_ASSERT_TRUE(co_await pool.wait_connected(10s));
    ok(co_await pool.exec(cmd("SET", "{mv}a", "1")));

    // Migration under way: a key the source does not have is answered -ASK.
    EXPECT_EQ(to.cli({"CLUSTER", "SETSLOT", std::to_string(slot), "IMPORTING", from_id}), "OK");
    EXPECT_EQ(from.cli({"CLUSTER", "SETSLOT", std::to_string(slot), "MIGRATING", to_id}), "OK");
    ok(co_await pool.exec(cmd("SET", "{mv}b", "2")), "SET during migration");
    EXPECT_EQ(str(ok(co_await pool.exec(cmd("GET", "{mv}b")))), "2");
    EXPECT_EQ(str(ok(co_await pool.exec(cmd("GET", "{mv}a")))), "1");
    // It went to the target (ASKING): the source does not have it and says so.
    EXPECT_TRUE(from.cli({"EXISTS", "{mv}b"}).starts_with("ASK "));

    // The slot moves for good: the next request meets -MOVED and follows it.
    EXPECT_EQ(from.cli({"MIGRATE", "127.0.0.1", std::to_string(to.port()), "", "0", "5000", "KEYS",
                        "{mv}a"}),
              "OK");
    for (auto* p : setup.primaries())
      EXPECT_EQ(p->cli({"CLUSTER", "SETSLOT", std::to_string(slot), "NODE", to_id}), "OK");
    EXPECT_EQ(str(ok(co_await pool.exec(cmd("GET", "{mv}a")), "GET after the move")), "1");
    ok(co_await pool.exec(cmd("SET", "{mv}c", "3")));
    EXPECT_EQ(to.cli({"GET", "{mv}c"}), "3");
    // For /metrics: a slot went to another node (the -MOVED, or the refresh after it).
    const Topology t = pool.topology();
    EXPECT_EQ(t.kind, Topology::Kind::cluster);
    EXPECT_EQ(t.primaries.size(), 3u);
    EXPECT_GE(t.changes, 1u);
    pool.stop();
  });
}

}  // namespace
}  // namespace herald::redis
