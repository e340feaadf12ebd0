// The cache when Redis fails: killed (kill -9) and restarted under a read loop,
// reads never throw or hang and stay correct (L1 + loader), invalidations report
// redis_unavailable, coherent() follows the bus, and L2 is used again by itself
// after the restart. A hung Redis (SIGSTOP) costs a read about redis_timeout.
#include "cache_test_util.hpp"

#include <gtest/gtest.h>

#include <signal.h>

#include <string>

namespace herald::cache::test {
namespace {

using herald::test::run_coro;

Loader value_loader(int i, int& loads) {
  return [i, &loads]() -> awaitable<std::optional<std::string>> {
    ++loads;
    co_return "v:" + std::to_string(i);
  };
}

TEST(CacheFaults, RedisKilledAndRestartedDuringReads) {
  RedisServer server;
  server.start();
  run_coro(
      [&](asio::any_io_executor ex) -> awaitable<void> {
        CacheConfig cfg;  // the production redis_timeout: the fail-open bound
        Node a(ex, server.url(), cfg);
        CO_ASSERT_TRUE(co_await a.ready());
        CachePolicy policy = plain_policy();
        policy.l1_ttl = 0ms;  // every read asks Redis, so its absence shows

        struct LoopState {
          int reads = 0, wrong = 0, errors = 0, exceptions = 0, loads = 0;
          std::chrono::steady_clock::duration slowest{};
          bool stop = false, stopped = false;
        } st;
        Signal stopped(ex);
        asio::co_spawn(
            ex,
            [&]() -> awaitable<void> {
              while (!st.stop) {
                const int i = st.reads % 20;
                const std::string key = "loop:k:" + std::to_string(i);
                const auto t0 = std::chrono::steady_clock::now();
                try {
                  auto r = co_await a.cache.get_or_set(key, value_loader(i, st.loads), policy);
                  if (!r)
                    ++st.errors;
                  else if (r->value != "v:" + std::to_string(i))
                    ++st.wrong;
                } catch (...) {
                  ++st.exceptions;
                }
                st.slowest = std::max(st.slowest, std::chrono::steady_clock::now() - t0);
                ++st.reads;
                co_await sleep_for(2ms);  // pacing, so a down Redis is not a busy loop
              }
              st.stopped = true;
              stopped.notify();
            },
            asio::detached);

        // Up: values come from L2.
        CO_ASSERT_TRUE(
            co_await wait_until([&] { return st.reads >= 60 && a.cache.stats().l2_hits > 20; }));

        // Killed: reads go on (loader), coherent() drops, invalidations report it.
        server.kill9();
        CO_ASSERT_TRUE(co_await wait_until([&] { return !a.cache.coherent(); }, 5s));
        const int reads_at_kill = st.reads;
        const auto loads_at_kill = st.loads;
        CO_ASSERT_TRUE(co_await wait_until([&] { return st.reads >= reads_at_kill + 100; }, 20s));
        EXPECT_GT(st.loads, loads_at_kill + 50) << "reads fall back to the loader";
        auto removed = co_await a.cache.remove("loop:k:1");
        CO_ASSERT_FALSE(removed.has_value());
        EXPECT_EQ(removed.error(), CacheErrc::redis_unavailable);
        EXPECT_FALSE(a.cache.coherent());

        // Restarted (empty): the cache reconnects and uses L2 again by itself.
        server.restart();
        CO_ASSERT_TRUE(co_await wait_until([&] { return a.cache.coherent(); }, 15s));
        const auto l2_after_restart = a.cache.stats().l2_hits;
        CO_ASSERT_TRUE(co_await wait_until(
            [&] { return a.cache.stats().l2_hits >= l2_after_restart + 20; }, 15s));

        st.stop = true;
        CO_ASSERT_TRUE(co_await stopped.wait([&] { return st.stopped; }, 10s));
        EXPECT_EQ(st.exceptions, 0);
        EXPECT_EQ(st.errors, 0);
        EXPECT_EQ(st.wrong, 0);
        EXPECT_GT(a.cache.stats().redis_errors, 0u);
        // Hang guard, not a performance figure: no read waited much past redis_timeout.
        EXPECT_LT(st.slowest, 3s);
      },
      120s);
}

// A Redis that accepts connections but does not answer (SIGSTOP): a read waits about
// redis_timeout, then answers from the loader; nothing hangs.
TEST(CacheFaults, HungRedisCostsAboutRedisTimeout) {
  RedisServer server;
  server.start();
  const std::string info = server.cli({"INFO", "server"});
  const auto at = info.find("process_id:");
  ASSERT_NE(at, std::string::npos);
  const pid_t pid = static_cast<pid_t>(std::stol(info.substr(at + 11)));
  run_coro(
      [&](asio::any_io_executor ex) -> awaitable<void> {
        CacheConfig cfg;
        cfg.redis_timeout = 200ms;
        Node a(ex, server.url(), cfg);
        CO_ASSERT_TRUE(co_await a.ready());
        int loads = 0;
        ::kill(pid, SIGSTOP);
        const auto t0 = std::chrono::steady_clock::now();
        auto r = co_await a.cache.get_or_set("hung:k:1", value_loader(1, loads), plain_policy());
        const auto took = std::chrono::steady_clock::now() - t0;
        ::kill(pid, SIGCONT);
        CO_ASSERT_TRUE(r.has_value()) << r.error().message();
        EXPECT_EQ(r->value, "v:1");
        EXPECT_EQ(loads, 1);
        EXPECT_LT(took, 3s) << "hang guard";
        EXPECT_GE(a.cache.stats().redis_errors, 1u);
      },
      60s);
  ::kill(pid, SIGCONT);
}

}  // namespace
}  // namespace herald::cache::test
