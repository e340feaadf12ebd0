// Pool against a real redis-server: N connections come up, concurrent requests are
// spread over them, and every caller gets its own reply.
#include <herald/redis/pool.hpp>

#include "support/redis_server.hpp"
#include "support/redis_test_util.hpp"
#include "support/run_coro.hpp"

#include <gtest/gtest.h>

#include <boost/asio/detached.hpp>

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

TEST(Pool, ConcurrentRequestsAreSpreadAndCorrect) {
  RedisServer server;
  server.start();
  run_coro([&](asio::any_io_executor ex) -> awaitable<void> {
    auto cfg = test_config(server.url());
    cfg.client_name = "herald-pool";
    Pool pool(ex, cfg, 4);
    EXPECT_EQ(pool.size(), 4u);
    pool.start();
    CO_ASSERT_TRUE(co_await pool.wait_connected(5s));
    EXPECT_TRUE(pool.connected());

    // Four server-side clients carry our name.
    auto list = str(ok(co_await pool.exec(cmd("CLIENT", "LIST"))));
    std::size_t named = 0;
    for (std::size_t at = 0; (at = list.find("name=herald-pool ", at)) != std::string::npos; ++at)
      ++named;
    EXPECT_EQ(named, 4u) << list;

    constexpr int kN = 4000;
    int done = 0, wrong = 0;
    Signal all_done(ex);
    for (int i = 0; i < kN; ++i) {
      asio::co_spawn(
          ex,
          [&, i]() -> awaitable<void> {
            const std::string key = "p:" + std::to_string(i);
            Request r;
            r.push("SET", key, i).push("INCRBY", key, i).push("GET", key);
            auto replies = co_await pool.exec_all(r);
            auto incr = co_await pool.exec(cmd("INCR", "total"));
            if (!replies || replies->size() != 3 ||
                (*replies)[2] != Reply::make_string(std::to_string(2 * i)) || !incr ||
                !incr->is_integer())
              ++wrong;
            ++done;
            all_done.notify();
          },
          asio::detached);
    }
    EXPECT_TRUE(co_await all_done.wait([&] { return done == kN; }, 60s)) << done << " done";
    EXPECT_EQ(wrong, 0);
    EXPECT_EQ(str(ok(co_await pool.exec(cmd("GET", "total")))), std::to_string(kN));

    for (std::size_t i = 0; i < pool.size(); ++i) {
      EXPECT_TRUE(pool.at(i).connected());
      EXPECT_GT(pool.at(i).stats().requests, 0u) << "connection " << i << " got no request";
    }
    Connection& picked = pool.pick();
    EXPECT_EQ(ok(co_await picked.exec(cmd("PING"))), Reply::make_status("PONG"));

    pool.stop();  // the spawned coroutines reference this frame: none may outlive it
    EXPECT_TRUE(co_await all_done.wait([&] { return done == kN; }, 5s));
    EXPECT_FALSE(pool.connected());
  });
}

TEST(Pool, FailsFastWhenNothingIsConnected) {
  RedisServer server;
  server.start();
  const std::string url = server.url();
  server.stop();
  run_coro([&](asio::any_io_executor ex) -> awaitable<void> {
    Pool pool(ex, test_config(url), 2);
    pool.start();
    EXPECT_FALSE(co_await pool.wait_connected(300ms));
    EXPECT_FALSE(pool.connected());
    auto r = co_await pool.exec(cmd("PING"));
    CO_ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error(), Errc::not_connected);
    pool.stop();
  });
}

}  // namespace
}  // namespace herald::redis
