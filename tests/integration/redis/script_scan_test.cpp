// Script (EVALSHA with EVAL fallback on NOSCRIPT) and ScanCursor (SCAN batches,
// MATCH/TYPE filters) against a real redis-server.
#include <herald/redis/connection.hpp>
#include <herald/redis/scan.hpp>
#include <herald/redis/script.hpp>

#include "support/redis_server.hpp"
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
using herald::test::cmd;
using herald::test::ok;
using herald::test::RedisServer;
using herald::test::run_coro;
using herald::test::str;
using herald::test::test_config;
using namespace std::chrono_literals;

class ScriptScanTest : public herald::test::RedisServerTest {};

TEST_F(ScriptScanTest, ScriptRunsAndSurvivesScriptFlush) {
  run_coro([&](asio::any_io_executor ex) -> awaitable<void> {
    Connection c(ex, test_config(server_.url()));
    c.start();
    CO_ASSERT_TRUE(co_await c.wait_connected(5s));
    const Script script(
        "redis.call('SET', KEYS[1], ARGV[1]); return {KEYS[1], redis.call('GET', KEYS[1]), "
        "tonumber(ARGV[2]) + 1}");
    // The SHA1 is the one Redis computes.
    EXPECT_EQ(str(ok(co_await c.exec(cmd("SCRIPT", "LOAD", script.source())))), script.sha1());
    EXPECT_EQ(script.sha1().size(), 40u);
    ok(co_await c.exec(cmd("SCRIPT", "FLUSH")));

    // Named vectors: GCC 12 rejects braced lists inside co_await expressions.
    const std::vector<std::string> keys{"k"}, args{"v", "41"};
    const auto expected = Reply::make_array(
        {Reply::make_string("k"), Reply::make_string("v"), Reply::make_integer(42)});
    // First run: the server does not know the script (NOSCRIPT -> EVAL).
    EXPECT_EQ(ok(co_await script.run(c, keys, args), "run 1"), expected);
    const auto exists = Reply::make_array({Reply::make_integer(1)});
    EXPECT_EQ(ok(co_await c.exec(cmd("SCRIPT", "EXISTS", script.sha1()))), exists);
    EXPECT_EQ(ok(co_await script.run(c, keys, args), "run 2"), expected);
    ok(co_await c.exec(cmd("SCRIPT", "FLUSH")));
    EXPECT_EQ(ok(co_await script.run(c, keys, args), "run after flush"), expected);
  });
}

TEST_F(ScriptScanTest, ScriptErrorsAreReplyValues) {
  run_coro([&](asio::any_io_executor ex) -> awaitable<void> {
    Connection c(ex, test_config(server_.url()));
    c.start();
    CO_ASSERT_TRUE(co_await c.wait_connected(5s));
    const std::vector<std::string> none, s_key{"s"};
    const Script raises("return redis.error_reply('MYERR boom')");
    auto r = ok(co_await raises.run(c, none, none), "error_reply script");
    EXPECT_TRUE(r.is_error()) << to_string(r);
    EXPECT_NE(r.str.find("boom"), std::string::npos) << r.str;
    // A runtime error inside the script (wrong type) is a value too, also on the
    // EVAL fallback path.
    ok(co_await c.exec(cmd("SET", "s", "str")));
    const Script wrongtype("return redis.call('LPUSH', KEYS[1], 'x')");
    ok(co_await c.exec(cmd("SCRIPT", "FLUSH")));
    auto w = ok(co_await wrongtype.run(c, s_key, none), "wrongtype script");
    EXPECT_TRUE(w.is_error()) << to_string(w);
    EXPECT_NE(w.str.find("WRONGTYPE"), std::string::npos) << w.str;
    // A script that does not compile is an error value as well.
    const Script broken("return (");
    auto b = ok(co_await broken.run(c, none, none), "broken script");
    EXPECT_TRUE(b.is_error()) << to_string(b);
    // Still usable afterwards.
    EXPECT_EQ(ok(co_await c.exec(cmd("PING"))), Reply::make_status("PONG"));
  });
}

TEST_F(ScriptScanTest, ScanFindsEveryMatchingKey) {
  run_coro([&](asio::any_io_executor ex) -> awaitable<void> {
    Connection c(ex, test_config(server_.url()));
    c.start();
    CO_ASSERT_TRUE(co_await c.wait_connected(5s));
    constexpr int kN = 10000;
    Request fill;
    for (int i = 0; i < kN; ++i) fill.push("SET", "scan:" + std::to_string(i), i);
    for (int i = 0; i < 1000; ++i) fill.push("SET", "other:" + std::to_string(i), i);
    for (int i = 0; i < 50; ++i) fill.push("HSET", "scan:h" + std::to_string(i), "f", "v");
    auto filled = ok(co_await c.exec_all(fill), "fill");
    EXPECT_EQ(filled.size(), static_cast<std::size_t>(kN + 1050));

    ScanCursor cursor(c, "scan:*", 500);
    std::set<std::string> keys;
    std::size_t batches = 0, returned = 0;
    while (!cursor.done()) {
      auto batch = ok(co_await cursor.next(), "SCAN");
      ++batches;
      returned += batch.size();
      keys.insert(batch.begin(), batch.end());
      CO_ASSERT_TRUE(batches < 10000);  // must terminate
    }
    EXPECT_EQ(keys.size(), static_cast<std::size_t>(kN + 50));
    for (int i = 0; i < kN; i += 997) EXPECT_TRUE(keys.count("scan:" + std::to_string(i)));
    for (const auto& k : keys) EXPECT_EQ(k.rfind("scan:", 0), 0u) << k;
    EXPECT_GE(returned, keys.size());
    EXPECT_GT(batches, 1u);  // COUNT 500 over 11,050 keys: many calls, not one

    // TYPE filter.
    ScanCursor hashes(c, "scan:*", 1000, "hash");
    std::set<std::string> hkeys;
    while (!hashes.done()) {
      auto batch = ok(co_await hashes.next(), "SCAN TYPE");
      hkeys.insert(batch.begin(), batch.end());
    }
    EXPECT_EQ(hkeys.size(), 50u);

    // Empty keyspace match: done after the walk, no keys.
    ScanCursor none(c, "nothing:*");
    std::size_t found = 0;
    while (!none.done()) found += ok(co_await none.next()).size();
    EXPECT_EQ(found, 0u);
  });
}

TEST_F(ScriptScanTest, ScanWhileDisconnectedReportsTheError) {
  run_coro([&](asio::any_io_executor ex) -> awaitable<void> {
    Connection c(ex, test_config(server_.url()));
    c.start();
    CO_ASSERT_TRUE(co_await c.wait_connected(5s));
    c.stop();
    ScanCursor cursor(c, "*");
    auto r = co_await cursor.next();
    EXPECT_FALSE(r.has_value());
    EXPECT_FALSE(cursor.done());
  });
}

}  // namespace
}  // namespace herald::redis
