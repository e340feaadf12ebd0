// Streams helpers against a real redis-server: XADD (with MAXLEN ~), XRANGE /
// XREVRANGE, XREAD (plain and blocking), consumer groups (XGROUP CREATE,
// XREADGROUP, XACK, XPENDING, XAUTOCLAIM) and XTRIM.
#include <herald/redis/connection.hpp>
#include <herald/redis/streams.hpp>

#include "support/redis_server.hpp"
#include "support/redis_test_util.hpp"
#include "support/run_coro.hpp"

#include <gtest/gtest.h>

#include <boost/asio/detached.hpp>

#include <regex>
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
using herald::test::Signal;
using herald::test::str;
using herald::test::test_config;
using namespace std::chrono_literals;
namespace xs = streams;

// Argument builders. Braced lists (`{{"f", "v"}}`) cannot be used inside a co_await
// expression: GCC 12 rejects initializer_list temporaries there ("array used as
// initializer"), so tests build fields, cursors and id lists with these instead.
template <class... S>
StreamFields F(const S&... kv) {
  static_assert(sizeof...(S) % 2 == 0, "field, value pairs");
  const std::vector<std::string> flat{std::string(kv)...};
  StreamFields out;
  for (std::size_t i = 0; i < flat.size(); i += 2) out.emplace_back(flat[i], flat[i + 1]);
  return out;
}

template <class... S>
std::vector<xs::StreamCursor> C(const S&... stream_id) {
  static_assert(sizeof...(S) % 2 == 0, "stream, id pairs");
  const std::vector<std::string> flat{std::string(stream_id)...};
  std::vector<xs::StreamCursor> out;
  for (std::size_t i = 0; i < flat.size(); i += 2) out.push_back({flat[i], flat[i + 1]});
  return out;
}

template <class... S>
std::vector<std::string> V(const S&... s) {
  return {std::string(s)...};
}

bool is_stream_id(const std::string& id) {
  static const std::regex re("[0-9]+-[0-9]+");
  return std::regex_match(id, re);
}

class StreamsTest : public herald::test::RedisServerTest {};

TEST_F(StreamsTest, XaddXrangeXrevrange) {
  run_coro([&](asio::any_io_executor ex) -> awaitable<void> {
    Connection c(ex, test_config(server_.url()));
    c.start();
    CO_ASSERT_TRUE(co_await c.wait_connected(5s));

    std::vector<std::string> ids;
    for (int i = 0; i < 5; ++i) {
      auto id = ok(co_await xs::xadd(c, "s", F("n", std::to_string(i), "k", "v")), "xadd");
      EXPECT_TRUE(is_stream_id(id)) << id;
      ids.push_back(id);
    }
    EXPECT_EQ(ok(co_await xs::xadd(c, "explicit", F("f", "v"), std::nullopt, "5-1")), "5-1");

    auto all = ok(co_await xs::xrange(c, "s", "-", "+"), "xrange");
    CO_ASSERT_EQ(all.size(), 5u);
    for (int i = 0; i < 5; ++i) {
      EXPECT_EQ(all[i].id, ids[i]);
      EXPECT_EQ(all[i].fields, (StreamFields{{"n", std::to_string(i)}, {"k", "v"}}));
    }
    auto two = ok(co_await xs::xrange(c, "s", ids[1], "+", 2), "xrange count");
    CO_ASSERT_EQ(two.size(), 2u);
    EXPECT_EQ(two[0].id, ids[1]);
    EXPECT_EQ(two[1].id, ids[2]);

    auto rev = ok(co_await xs::xrevrange(c, "s", "+", "-", 2), "xrevrange");
    CO_ASSERT_EQ(rev.size(), 2u);
    EXPECT_EQ(rev[0].id, ids[4]);
    EXPECT_EQ(rev[1].id, ids[3]);

    EXPECT_TRUE(ok(co_await xs::xrange(c, "nostream", "-", "+")).empty());

    // A wrong-type key is a server error, not a crash or a bogus value.
    ok(co_await c.exec(cmd("SET", "str", "x")));
    auto bad = co_await xs::xrange(c, "str", "-", "+");
    CO_ASSERT_FALSE(bad.has_value());
    EXPECT_EQ(bad.error(), Errc::server_error);
    auto bad_add = co_await xs::xadd(c, "str", F("f", "v"));
    CO_ASSERT_FALSE(bad_add.has_value());
    EXPECT_EQ(bad_add.error(), Errc::server_error);
  });
}

TEST_F(StreamsTest, XaddWithApproximateMaxlenAndXtrim) {
  run_coro([&](asio::any_io_executor ex) -> awaitable<void> {
    Connection c(ex, test_config(server_.url()));
    c.start();
    CO_ASSERT_TRUE(co_await c.wait_connected(5s));
    for (int i = 0; i < 1000; ++i)
      ok(co_await xs::xadd(c, "capped", F("i", std::to_string(i)), 100), "xadd maxlen");
    // "~" trims whole nodes (100 entries each by default): at least 100 remain,
    // far fewer than 1000.
    auto len = ok(co_await c.exec(cmd("XLEN", "capped"))).integer;
    EXPECT_GE(len, 100);
    EXPECT_LE(len, 300);
    auto newest = ok(co_await xs::xrevrange(c, "capped", "+", "-", 1));
    CO_ASSERT_EQ(newest.size(), 1u);
    EXPECT_EQ(newest[0].fields, (StreamFields{{"i", "999"}}));

    for (int i = 0; i < 10; ++i) ok(co_await xs::xadd(c, "t", F("i", std::to_string(i))));
    EXPECT_EQ(ok(co_await xs::xtrim_maxlen(c, "t", 4, false), "xtrim exact"), 6);
    EXPECT_EQ(ok(co_await c.exec(cmd("XLEN", "t"))), Reply::make_integer(4));
    auto rest = ok(co_await xs::xrange(c, "t", "-", "+"));
    CO_ASSERT_EQ(rest.size(), 4u);
    EXPECT_EQ(rest[0].fields, (StreamFields{{"i", "6"}}));
    // Approximate trim of a small stream removes nothing (no whole node to drop).
    EXPECT_EQ(ok(co_await xs::xtrim_maxlen(c, "t", 1, true), "xtrim ~"), 0);
  });
}

TEST_F(StreamsTest, XreadWithoutBlock) {
  run_coro([&](asio::any_io_executor ex) -> awaitable<void> {
    Connection c(ex, test_config(server_.url()));
    c.start();
    CO_ASSERT_TRUE(co_await c.wait_connected(5s));
    auto id1 = ok(co_await xs::xadd(c, "r1", F("a", "1")));
    auto id2 = ok(co_await xs::xadd(c, "r1", F("a", "2")));
    ok(co_await xs::xadd(c, "r2", F("b", "1")));

    auto batches = ok(co_await xs::xread(c, C("r1", "0", "r2", "0"), 10), "xread");
    CO_ASSERT_EQ(batches.size(), 2u);
    EXPECT_EQ(batches[0].stream, "r1");
    CO_ASSERT_EQ(batches[0].entries.size(), 2u);
    EXPECT_EQ(batches[0].entries[0].id, id1);
    EXPECT_EQ(batches[0].entries[1].id, id2);
    EXPECT_EQ(batches[1].stream, "r2");
    EXPECT_EQ(batches[1].entries.size(), 1u);

    // From the last id seen: only newer entries; COUNT limits.
    auto after = ok(co_await xs::xread(c, C("r1", id1), 10));
    CO_ASSERT_EQ(after.size(), 1u);
    CO_ASSERT_EQ(after[0].entries.size(), 1u);
    EXPECT_EQ(after[0].entries[0].id, id2);
    auto limited = ok(co_await xs::xread(c, C("r1", "0"), 1));
    CO_ASSERT_EQ(limited.size(), 1u);
    EXPECT_EQ(limited[0].entries.size(), 1u);

    // Nothing new: nil from the server, an empty vector here.
    EXPECT_TRUE(ok(co_await xs::xread(c, C("r1", id2), 10)).empty());
    EXPECT_TRUE(ok(co_await xs::xread(c, C("r1", "$"), 10)).empty());
  });
}

TEST_F(StreamsTest, BlockingXreadIsReleasedByXadd) {
  run_coro([&](asio::any_io_executor ex) -> awaitable<void> {
    Connection reader(ex, test_config(server_.url()));
    Connection writer(ex, test_config(server_.url()));
    reader.start();
    writer.start();
    CO_ASSERT_TRUE(co_await reader.wait_connected(5s));
    CO_ASSERT_TRUE(co_await writer.wait_connected(5s));

    // BLOCK timing out: an empty result, not an error (nor a request timeout).
    const auto t0 = std::chrono::steady_clock::now();
    auto none = ok(co_await xs::xread(reader, C("blk", "$"), 10, 200ms), "xread block timeout");
    EXPECT_TRUE(none.empty());
    EXPECT_GE(std::chrono::steady_clock::now() - t0, 150ms);

    // BLOCK longer than the connection's default request timeout: the helper must
    // give the request a timeout longer than its BLOCK.
    bool finished = false;
    Result<std::vector<StreamBatch>> got = make_error_code(Errc::closed);
    Signal sig(ex);
    asio::co_spawn(
        ex,
        [&]() -> awaitable<void> {
          got = co_await xs::xread(reader, C("blk", "$"), 10, 8000ms);
          finished = true;
          sig.notify();
        },
        asio::detached);
    // Wait until the server reports the reader blocked (an event, seen by polling).
    bool blocked = false;
    for (int i = 0; i < 500 && !blocked; ++i) {
      auto info = str(ok(co_await writer.exec(cmd("INFO", "clients"))));
      blocked = info.find("blocked_clients:1") != std::string::npos;
      if (!blocked) co_await herald::test::sleep_for(10ms);
    }
    EXPECT_TRUE(blocked);
    EXPECT_FALSE(finished);
    const auto t1 = std::chrono::steady_clock::now();
    auto id = ok(co_await xs::xadd(writer, "blk", F("wake", "up")), "xadd");
    EXPECT_TRUE(co_await sig.wait([&] { return finished; }, 5s));
    EXPECT_LT(std::chrono::steady_clock::now() - t1, 2s);
    if (!finished) {
      reader.stop();  // the spawned coroutine references this frame
      co_await sig.wait([&] { return finished; }, 5s);
      co_return;
    }
    CO_ASSERT_TRUE(got.has_value()) << got.error().message();
    CO_ASSERT_EQ(got->size(), 1u);
    EXPECT_EQ((*got)[0].stream, "blk");
    CO_ASSERT_EQ((*got)[0].entries.size(), 1u);
    EXPECT_EQ((*got)[0].entries[0].id, id);
    EXPECT_EQ((*got)[0].entries[0].fields, (StreamFields{{"wake", "up"}}));
  });
}

TEST_F(StreamsTest, ConsumerGroupReadAckPending) {
  run_coro([&](asio::any_io_executor ex) -> awaitable<void> {
    Connection c(ex, test_config(server_.url()));
    c.start();
    CO_ASSERT_TRUE(co_await c.wait_connected(5s));

    EXPECT_TRUE(ok(co_await xs::xgroup_create(c, "jobs", "workers", "0"), "xgroup_create"));
    EXPECT_FALSE(ok(co_await xs::xgroup_create(c, "jobs", "workers", "0"), "BUSYGROUP"));
    // Without MKSTREAM on a missing key: a server error.
    auto nostream = co_await xs::xgroup_create(c, "nokey", "g", "$", false);
    CO_ASSERT_FALSE(nostream.has_value());
    EXPECT_EQ(nostream.error(), Errc::server_error);

    std::vector<std::string> ids;
    for (int i = 0; i < 5; ++i)
      ids.push_back(ok(co_await xs::xadd(c, "jobs", F("job", std::to_string(i)))));

    auto read = ok(co_await xs::xreadgroup(c, "workers", "w1", C("jobs", ">"), 10), "xreadgroup");
    CO_ASSERT_EQ(read.size(), 1u);
    CO_ASSERT_EQ(read[0].entries.size(), 5u);
    EXPECT_EQ(read[0].entries[4].id, ids[4]);
    // Nothing new for the group now.
    EXPECT_TRUE(ok(co_await xs::xreadgroup(c, "workers", "w2", C("jobs", ">"), 10)).empty());

    auto summary = ok(co_await xs::xpending(c, "jobs", "workers"), "xpending");
    EXPECT_EQ(summary.count, 5);
    EXPECT_EQ(summary.smallest_id, ids[0]);
    EXPECT_EQ(summary.largest_id, ids[4]);
    using Consumers = std::vector<std::pair<std::string, long long>>;
    EXPECT_EQ(summary.consumers, (Consumers{{"w1", 5}}));

    auto rows = ok(co_await xs::xpending_range(c, "jobs", "workers", "-", "+", 10), "range");
    CO_ASSERT_EQ(rows.size(), 5u);
    EXPECT_EQ(rows[0].id, ids[0]);
    EXPECT_EQ(rows[0].consumer, "w1");
    EXPECT_EQ(rows[0].deliveries, 1);
    EXPECT_GE(rows[0].idle_ms, 0);
    EXPECT_TRUE(ok(co_await xs::xpending_range(c, "jobs", "workers", "-", "+", 10, "w2")).empty());

    // Re-reading own history (id 0) gives the pending entries again.
    auto history = ok(co_await xs::xreadgroup(c, "workers", "w1", C("jobs", "0"), 10));
    CO_ASSERT_EQ(history.size(), 1u);
    EXPECT_EQ(history[0].entries.size(), 5u);

    EXPECT_EQ(ok(co_await xs::xack(c, "jobs", "workers", V(ids[0], ids[1], ids[2])), "xack"), 3);
    EXPECT_EQ(ok(co_await xs::xack(c, "jobs", "workers", V(ids[0]))), 0);  // already acked
    EXPECT_EQ(ok(co_await xs::xpending(c, "jobs", "workers")).count, 2);
    EXPECT_EQ(ok(co_await xs::xack(c, "jobs", "workers", V(ids[3], ids[4]))), 2);

    auto empty = ok(co_await xs::xpending(c, "jobs", "workers"), "xpending empty");
    EXPECT_EQ(empty.count, 0);
    EXPECT_TRUE(empty.smallest_id.empty());
    EXPECT_TRUE(empty.consumers.empty());
    EXPECT_TRUE(ok(co_await xs::xpending_range(c, "jobs", "workers", "-", "+", 10)).empty());

    // NOACK: delivered but never pending.
    ok(co_await xs::xadd(c, "jobs", F("job", "noack")));
    auto na =
        ok(co_await xs::xreadgroup(c, "workers", "w1", C("jobs", ">"), 10, std::nullopt, true));
    CO_ASSERT_EQ(na.size(), 1u);
    EXPECT_EQ(ok(co_await xs::xpending(c, "jobs", "workers")).count, 0);

    // Unknown group: server error.
    auto nogroup = co_await xs::xreadgroup(c, "nogroup", "w1", C("jobs", ">"), 10);
    CO_ASSERT_FALSE(nogroup.has_value());
    EXPECT_EQ(nogroup.error(), Errc::server_error);
  });
}

TEST_F(StreamsTest, BlockingXreadgroupIsReleasedByXadd) {
  run_coro([&](asio::any_io_executor ex) -> awaitable<void> {
    Connection reader(ex, test_config(server_.url()));
    Connection writer(ex, test_config(server_.url()));
    reader.start();
    writer.start();
    CO_ASSERT_TRUE(co_await reader.wait_connected(5s));
    CO_ASSERT_TRUE(co_await writer.wait_connected(5s));
    CO_ASSERT_TRUE(ok(co_await xs::xgroup_create(writer, "q", "g", "$")));

    auto none = ok(co_await xs::xreadgroup(reader, "g", "c", C("q", ">"), 10, 100ms));
    EXPECT_TRUE(none.empty());

    bool finished = false;
    Result<std::vector<StreamBatch>> got = make_error_code(Errc::closed);
    Signal sig(ex);
    asio::co_spawn(
        ex,
        [&]() -> awaitable<void> {
          got = co_await xs::xreadgroup(reader, "g", "c", C("q", ">"), 10, 5000ms);
          finished = true;
          sig.notify();
        },
        asio::detached);
    bool blocked = false;
    for (int i = 0; i < 500 && !blocked; ++i) {
      auto info = str(ok(co_await writer.exec(cmd("INFO", "clients"))));
      blocked = info.find("blocked_clients:1") != std::string::npos;
      if (!blocked) co_await herald::test::sleep_for(10ms);
    }
    EXPECT_TRUE(blocked);
    auto id = ok(co_await xs::xadd(writer, "q", F("k", "v")));
    EXPECT_TRUE(co_await sig.wait([&] { return finished; }, 5s));
    if (!finished) {
      reader.stop();
      co_await sig.wait([&] { return finished; }, 5s);
      co_return;
    }
    CO_ASSERT_TRUE(got.has_value()) << got.error().message();
    CO_ASSERT_EQ(got->size(), 1u);
    CO_ASSERT_EQ((*got)[0].entries.size(), 1u);
    EXPECT_EQ((*got)[0].entries[0].id, id);
  });
}

TEST_F(StreamsTest, XautoclaimTakesOverFromADeadConsumer) {
  run_coro([&](asio::any_io_executor ex) -> awaitable<void> {
    Connection c(ex, test_config(server_.url()));
    c.start();
    CO_ASSERT_TRUE(co_await c.wait_connected(5s));
    CO_ASSERT_TRUE(ok(co_await xs::xgroup_create(c, "work", "g", "0")));
    std::vector<std::string> ids;
    for (int i = 0; i < 4; ++i)
      ids.push_back(ok(co_await xs::xadd(c, "work", F("n", std::to_string(i)))));
    // "dead" reads everything and never acks.
    auto taken = ok(co_await xs::xreadgroup(c, "g", "dead", C("work", ">"), 10));
    CO_ASSERT_EQ(taken.size(), 1u);
    CO_ASSERT_EQ(taken[0].entries.size(), 4u);
    // One of its entries is deleted from the stream meanwhile.
    EXPECT_EQ(ok(co_await c.exec(cmd("XDEL", "work", ids[1]))), Reply::make_integer(1));

    // Not idle long enough yet: nothing to claim.
    auto early = ok(co_await xs::xautoclaim(c, "work", "g", "alive", 60s, "0-0", 10), "early");
    EXPECT_TRUE(early.entries.empty());
    EXPECT_EQ(early.next_cursor, "0-0");

    // Idle time is real time: it has to pass.
    co_await herald::test::sleep_for(120ms);
    auto claimed =
        ok(co_await xs::xautoclaim(c, "work", "g", "alive", 100ms, "0-0", 10), "xautoclaim");
    EXPECT_EQ(claimed.next_cursor, "0-0");
    CO_ASSERT_EQ(claimed.entries.size(), 3u);
    EXPECT_EQ(claimed.entries[0].id, ids[0]);
    EXPECT_EQ(claimed.entries[1].id, ids[2]);
    EXPECT_EQ(claimed.entries[2].id, ids[3]);
    EXPECT_EQ(claimed.entries[2].fields, (StreamFields{{"n", "3"}}));
    // Redis 7.0 reports (and drops from the PEL) a deleted entry on the first
    // XAUTOCLAIM that scans it, idle or not: here the "early" call.
    std::vector<std::string> deleted = early.deleted;
    deleted.insert(deleted.end(), claimed.deleted.begin(), claimed.deleted.end());
    EXPECT_EQ(deleted, std::vector<std::string>{ids[1]});

    auto rows = ok(co_await xs::xpending_range(c, "work", "g", "-", "+", 10, "alive"));
    CO_ASSERT_EQ(rows.size(), 3u);
    for (const auto& row : rows) {
      EXPECT_EQ(row.consumer, "alive");
      EXPECT_EQ(row.deliveries, 2);
    }
    EXPECT_TRUE(ok(co_await xs::xpending_range(c, "work", "g", "-", "+", 10, "dead")).empty());

    // Pagination: COUNT 1 returns a cursor to continue from.
    co_await herald::test::sleep_for(120ms);
    auto page = ok(co_await xs::xautoclaim(c, "work", "g", "third", 100ms, "0-0", 1));
    EXPECT_EQ(page.entries.size(), 1u);
    EXPECT_NE(page.next_cursor, "0-0");

    // IDLE filter of XPENDING: the entry just claimed by "third" is not idle.
    auto idle =
        ok(co_await xs::xpending_range(c, "work", "g", "-", "+", 10, {}, std::optional(100ms)));
    EXPECT_EQ(idle.size(), 2u);
  });
}

}  // namespace
}  // namespace herald::redis
