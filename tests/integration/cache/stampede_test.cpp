// Stampede protection against a real redis-server: many concurrent readers of one
// cold key on several nodes (each its own Pool and Cache, as separate processes
// would be) run the loader once; a lock holder that never finishes delays the
// others by at most lock_ttl, and its late result cannot overwrite theirs.
#include "cache_test_util.hpp"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace herald::cache::test {
namespace {

using herald::test::cmd;
using herald::test::ok;
using herald::test::run_coro;

TEST(CacheStampede, ThousandConcurrentReadersOnFourNodesLoadOnce) {
  RedisServer server;
  server.start();
  run_coro([&](asio::any_io_executor ex) -> awaitable<void> {
    std::vector<std::unique_ptr<Node>> nodes;
    for (int i = 0; i < 4; ++i) nodes.push_back(std::make_unique<Node>(ex, server.url()));
    for (auto& n : nodes) CO_ASSERT_TRUE(co_await n->ready());

    int loads = 0;
    Loader loader = [&]() -> awaitable<std::optional<std::string>> {
      ++loads;
      co_await sleep_for(50ms);  // a slow origin
      co_return "the-value";
    };
    const std::string key = CacheKey("products").entity("product").id(42).str();
    const CachePolicy policy = plain_policy();

    constexpr int kReaders = 1000;
    int done = 0, wrong = 0;
    std::map<CacheSource, int> sources;
    Signal all(ex);
    for (int i = 0; i < kReaders; ++i) {
      Cache* cache = &nodes[i % nodes.size()]->cache;
      asio::co_spawn(
          ex,
          [&, i, cache]() -> awaitable<void> {
            auto r = co_await cache->get_or_set(key, loader, policy);
            if (!r || r->value != "the-value") {
              ++wrong;
              ADD_FAILURE() << "reader " << i << ": "
                            << (r ? r->value.value_or("<none>") : r.error().message());
            } else {
              ++sources[r->source];
            }
            ++done;
            all.notify();
          },
          asio::detached);
    }
    CO_ASSERT_TRUE(co_await all.wait([&] { return done == kReaders; }, 60s)) << done;
    EXPECT_EQ(wrong, 0);
    EXPECT_EQ(loads, 1);
    std::uint64_t stat_loads = 0, lock_waits = 0, lock_timeouts = 0;
    for (auto& n : nodes) {
      stat_loads += n->cache.stats().loads;
      lock_waits += n->cache.stats().lock_waits;
      lock_timeouts += n->cache.stats().lock_timeouts;
    }
    EXPECT_EQ(stat_loads, 1u);
    EXPECT_EQ(lock_timeouts, 0u);
    EXPECT_GE(lock_waits, 1u);  // the other nodes waited for the holder's value
    EXPECT_GT(sources[CacheSource::l2], 0) << "waiters on other nodes get the holder's value";
    // The lock is gone once the value is written.
    EXPECT_TRUE(co_await wait_until([&] { return server.cli({"EXISTS", lock_key(key)}) == "0"; }));
    // Every node now answers from its cache.
    for (auto& n : nodes) {
      auto r = co_await n->cache.get_or_set(key, loader, policy);
      CO_ASSERT_TRUE(r.has_value());
      EXPECT_EQ(r->value, "the-value");
      EXPECT_NE(r->source, CacheSource::loader);
    }
    EXPECT_EQ(loads, 1);
  });
}

// Node A takes the lock and its loader never returns (a hung or dead process).
// Node B waits, takes the lock when it expires (lock_ttl), loads, and answers;
// nobody waits forever. When A's load finally returns, it does not overwrite B's.
TEST(CacheStampede, LockHolderThatNeverFinishesDelaysOthersOnlyUntilLockTtl) {
  RedisServer server;
  server.start();
  run_on_two_nodes(server, [&](asio::any_io_executor ex, Node& a, Node& b) -> awaitable<void> {
    CachePolicy policy = plain_policy();
    policy.lock_ttl = 1s;
    policy.lock_wait = 10s;
    policy.hard_timeout = 0ms;  // A's caller waits for its loader, however long
    const std::string key = "products:product:7";

    TestLoader hung(ex);
    hung.held = true;
    hung.value = "from-a";
    std::optional<Result<CacheValue>> a_result;
    // Measured from before A takes the lock: B cannot load before the lock's ttl has
    // passed from here, however late B itself starts on a loaded machine.
    const auto t0 = std::chrono::steady_clock::now();
    asio::co_spawn(
        ex,
        [&]() -> awaitable<void> {
          a_result = co_await a.cache.get_or_set(key, hung.loader(), policy);
          hung.changed.notify();
        },
        asio::detached);
    CO_ASSERT_TRUE(co_await hung.wait_calls(1));
    EXPECT_EQ(server.cli({"EXISTS", lock_key(key)}), "1") << "A holds the lock while loading";

    TestLoader good(ex);
    good.value = "from-b";
    auto r = co_await b.cache.get_or_set(key, good.loader(), policy);
    const auto waited = std::chrono::steady_clock::now() - t0;
    CO_ASSERT_TRUE(r.has_value()) << r.error().message();
    EXPECT_EQ(r->value, "from-b#1");
    EXPECT_EQ(r->source, CacheSource::loader);
    EXPECT_EQ(good.calls, 1);
    EXPECT_EQ(b.cache.stats().lock_waits, 1u);
    EXPECT_EQ(b.cache.stats().lock_timeouts, 0u) << "B got the expired lock, not the lock_wait";
    // B loaded only once A's lock had expired, and long before lock_wait.
    EXPECT_GE(waited, 900ms);
    EXPECT_LT(waited, 5s);

    // A's loader returns at last: A's caller gets A's value, but B's stays cached.
    hung.release();
    CO_ASSERT_TRUE(co_await hung.changed.wait([&] { return a_result.has_value(); }, 10s));
    CO_ASSERT_TRUE(a_result->has_value());
    EXPECT_EQ((*a_result)->value, "from-a#1");
    co_await bus_barrier(b, a);
    CO_ASSERT_TRUE(co_await wait_until([&] {
      return server.cli({"EXISTS", lock_key(key)}) == "0";
    }));
    const std::vector<Node*> both{&a, &b};
    for (Node* n : both) {
      auto g = co_await n->cache.get(key, policy);
      CO_ASSERT_TRUE(g.has_value());
      EXPECT_EQ(g->value, "from-b#1");
    }
  });
}

// The lock-holding node's Redis connection is killed mid-load (CLIENT KILL): the
// lock stays until its ttl, then the other node loads; the holder, reconnected,
// finishes without overwriting.
TEST(CacheStampede, LockHolderWhoseConnectionIsKilled) {
  RedisServer server;
  server.start();
  run_coro([&](asio::any_io_executor ex) -> awaitable<void> {
    CacheConfig cfg_a = test_cache_config();
    Node a(ex, server.url(), cfg_a, std::nullopt, 1);
    Node b(ex, server.url());
    CO_ASSERT_TRUE(co_await a.ready());
    CO_ASSERT_TRUE(co_await b.ready());
    CachePolicy policy = plain_policy();
    policy.lock_ttl = 300ms;
    policy.lock_wait = 10s;
    const std::string key = "products:product:8";

    TestLoader hung(ex);
    hung.held = true;
    hung.value = "from-a";
    std::optional<Result<CacheValue>> a_result;
    asio::co_spawn(
        ex,
        [&]() -> awaitable<void> {
          a_result = co_await a.cache.get_or_set(key, hung.loader(), policy);
          hung.changed.notify();
        },
        asio::detached);
    CO_ASSERT_TRUE(co_await hung.wait_calls(1));
    // Kill every connection of A's pool ("herald" clients other than B's).
    auto id = ok(co_await a.pool.exec(cmd("CLIENT", "ID")));
    CO_ASSERT_TRUE(id.is_integer());
    server.cli({"CLIENT", "KILL", "ID", std::to_string(id.integer)});

    TestLoader good(ex);
    good.value = "from-b";
    auto r = co_await b.cache.get_or_set(key, good.loader(), policy);
    CO_ASSERT_TRUE(r.has_value()) << r.error().message();
    EXPECT_EQ(r->value, "from-b#1");
    EXPECT_EQ(good.calls, 1);

    hung.release();
    CO_ASSERT_TRUE(co_await hung.changed.wait([&] { return a_result.has_value(); }, 10s));
    CO_ASSERT_TRUE(a_result->has_value());
    EXPECT_EQ((*a_result)->value, "from-a#1");
    CO_ASSERT_TRUE(co_await a.pool.wait_connected(5s));
    co_await bus_barrier(b, a);
    auto g = co_await b.cache.get(key, policy);
    CO_ASSERT_TRUE(g.has_value());
    EXPECT_EQ(g->value, "from-b#1");
    // Write-backs run after the caller has its answer: wait for both to finish (A's is
    // refused, so it shows as a skipped write) before reading Redis.
    CO_ASSERT_TRUE(co_await wait_until([&] { return a.cache.stats().writes_skipped == 1; }))
        << "A's write-back never finished";
    CO_ASSERT_TRUE(co_await wait_until([&] {
      return server.cli({"GET", entry_key(key)}).find("from-b#1") != std::string::npos;
    })) << server.cli({"GET", entry_key(key)});
  });
}

}  // namespace
}  // namespace herald::cache::test
