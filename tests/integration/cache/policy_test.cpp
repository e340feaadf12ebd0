// CachePolicy knobs against a real redis-server: L2 hits fill L1, ttl jitter spreads
// expiries, negative caching, stale-while-revalidate, fail-safe with throttling,
// soft and hard loader timeouts, loader failure, eager refresh, and the stats.
#include "cache_test_util.hpp"

#include "cache/cache_entry.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <string>
#include <vector>

namespace herald::cache::test {
namespace {

using herald::test::cmd;
using herald::test::ok;
using herald::test::run_coro;
using herald::test::str;

TEST(CachePolicy, L2HitFillsL1AndStatsCount) {
  RedisServer server;
  server.start();
  run_on_two_nodes(server, [&](asio::any_io_executor ex, Node& a, Node& b) -> awaitable<void> {
    const CachePolicy policy = plain_policy();
    const std::string key = CacheKey("products").entity("product").id(1).param("lang", "en").str();
    TestLoader l(ex);
    auto r = co_await a.cache.get_or_set(key, l.loader(), policy);
    CO_ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->source, CacheSource::loader);
    // The write-back is asynchronous to the caller: wait until it is in Redis and its
    // write notice published (`writes` counts after that), then until the notice has
    // reached B (which would otherwise drop B's L1 copy between B's two reads).
    CO_ASSERT_TRUE(co_await wait_until([&] { return a.cache.stats().writes == 1; }));
    CO_ASSERT_TRUE(co_await bus_barrier(a, b));
    r = co_await b.cache.get_or_set(key, l.loader(), policy);
    CO_ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->value, "v#1");
    EXPECT_EQ(r->source, CacheSource::l2);
    r = co_await b.cache.get_or_set(key, l.loader(), policy);
    CO_ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->source, CacheSource::l1);
    EXPECT_EQ(l.calls, 1);
    const CacheStats& s = b.cache.stats();
    EXPECT_EQ(s.l1_hits, 1u);
    EXPECT_EQ(s.l1_misses, 1u);
    EXPECT_EQ(s.l2_hits, 1u);
    EXPECT_EQ(s.l2_misses, 0u);
    EXPECT_EQ(s.loads, 0u);
    EXPECT_DOUBLE_EQ(s.hit_ratio(), 1.0);
    EXPECT_EQ(a.cache.stats().loads, 1u);
    EXPECT_DOUBLE_EQ(a.cache.stats().hit_ratio(), 0.0);

    // With l1_ttl = 0 every read goes to Redis.
    CachePolicy no_l1 = policy;
    no_l1.l1_ttl = 0ms;
    const std::string k2 = "products:product:2";
    co_await a.cache.set(k2, "x", no_l1);
    for (int i = 0; i < 3; ++i) {
      r = co_await a.cache.get_or_set(k2, l.loader(), no_l1);
      CO_ASSERT_TRUE(r.has_value());
      EXPECT_EQ(r->source, CacheSource::l2);
    }
  });
}

// The L2 hit path (no L1): the value is cut out of the reply as stored (bytes after
// the envelope, newlines and NULs included), and a hit needs every version the entry
// was written under: the generation, the namespace's, each tag's, and the same tags
// in the same order. Versions are moved with plain INCRs, as another node would.
TEST(CachePolicy, L2HitWithoutL1ChecksEveryVersion) {
  RedisServer server;
  server.start();
  run_on_one_node(server, [&](asio::any_io_executor ex, Node& a) -> awaitable<void> {
    CachePolicy policy = plain_policy({"l2t:a", "l2t:b"});
    policy.l1_ttl = 0ms;
    const std::string key = CacheKey("l2ns").entity("item").id(7).str();
    const std::string payload("HC1 not a header\n1 tag\nbinary\0tail ", 35);
    TestLoader l(ex);

    co_await a.cache.set(key, payload, policy);
    for (int i = 0; i < 3; ++i) {
      auto r = co_await a.cache.get_or_set(key, l.loader(), policy);
      CO_ASSERT_TRUE(r.has_value());
      EXPECT_EQ(r->source, CacheSource::l2);
      EXPECT_EQ(r->value, payload);
      EXPECT_FALSE(r->stale);
      auto hit = co_await a.cache.get(key, policy);
      CO_ASSERT_TRUE(hit.has_value());
      EXPECT_EQ(hit->source, CacheSource::l2);
      EXPECT_EQ(hit->value, payload);
    }
    EXPECT_EQ(l.calls, 0);
    EXPECT_EQ(a.cache.stats().l2_hits, 6u);

    // The same tags in another order, or one tag fewer, are another policy: a miss.
    CachePolicy reversed = policy;
    std::reverse(reversed.tags.begin(), reversed.tags.end());
    auto g = co_await a.cache.get(key, reversed);
    EXPECT_FALSE(g.has_value());
    CachePolicy fewer = policy;
    fewer.tags.pop_back();
    g = co_await a.cache.get(key, fewer);
    EXPECT_FALSE(g.has_value());

    // Each counter the entry was written under, moved: a miss, then (after the
    // loader's write-back, awaited through Redis) a hit again.
    const CacheLayout& layout = default_layout();
    const std::vector<std::string> counters = {
        layout.tag_version("l2t:b"), layout.tag_version("l2t:a"), layout.namespace_version("l2ns"),
        layout.generation()};
    int loads = 0;
    for (const auto& counter : counters) {
      co_await a.cache.set(key, payload, policy);
      g = co_await a.cache.get(key, policy);
      CO_ASSERT_TRUE(g.has_value());
      EXPECT_EQ(g->value, payload);
      server.cli({"INCR", counter});
      g = co_await a.cache.get(key, policy);
      EXPECT_FALSE(g.has_value()) << counter;
      auto r = co_await a.cache.get_or_set(key, l.loader(), policy);
      CO_ASSERT_TRUE(r.has_value());
      EXPECT_EQ(r->source, CacheSource::loader) << counter;
      EXPECT_EQ(r->value, "v#" + std::to_string(++loads));
      const std::string loaded = "v#" + std::to_string(loads);
      CO_ASSERT_TRUE(co_await wait_until([&] {
        auto e = CacheEntry::parse(server.cli({"GET", entry_key(key)}));
        return e && e->payload == loaded;
      }));
      r = co_await a.cache.get_or_set(key, l.loader(), policy);
      CO_ASSERT_TRUE(r.has_value());
      EXPECT_EQ(r->source, CacheSource::l2) << counter;
      EXPECT_EQ(r->value, "v#" + std::to_string(loads));
    }

    // A cached "not found" is a hit with no value; a tombstone is a miss.
    l.value = std::nullopt;
    server.cli({"INCR", default_layout().generation()});
    auto r = co_await a.cache.get_or_set(key, l.loader(), policy);
    CO_ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->source, CacheSource::loader);
    // (Polled through the cache: redis-cli trims the envelope's last newline.)
    for (int i = 0; i < 2000; ++i) {
      g = co_await a.cache.get(key, policy);
      if (g) break;
      co_await sleep_for(5ms);
    }
    CO_ASSERT_TRUE(g.has_value());
    EXPECT_EQ(g->source, CacheSource::l2);
    EXPECT_FALSE(g->value.has_value());
    r = co_await a.cache.get_or_set(key, l.loader(), policy);
    CO_ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->source, CacheSource::l2);
    EXPECT_FALSE(r->value.has_value());
    EXPECT_EQ(l.calls, loads + 1);
    auto removed = co_await a.cache.remove(key);
    CO_ASSERT_TRUE(removed.has_value());
    g = co_await a.cache.get(key, policy);
    EXPECT_FALSE(g.has_value());
  });
}

TEST(CachePolicy, JitterSpreadsRedisTtls) {
  RedisServer server;
  server.start();
  run_coro(
      [&](asio::any_io_executor ex) -> awaitable<void> {
        Node a(ex, server.url());
        CO_ASSERT_TRUE(co_await a.ready());
        CachePolicy policy;
        policy.ttl = 100s;
        policy.jitter = 0.2;
        policy.fail_safe_max = 0ms;  // PX == the jittered ttl
        policy.stale_grace = 0ms;
        constexpr int kN = 10'000;
        auto key = [](int i) { return "jitter:k:" + std::to_string(i); };
        const auto t0 = std::chrono::steady_clock::now();
        CO_ASSERT_TRUE(co_await for_each_concurrent(ex, kN, 128, [&](int i) -> awaitable<void> {
          co_await a.cache.set(key(i), "v", policy);
        }));
        // PTTL (physical) and, from each entry's envelope, its logical ttl.
        std::vector<long long> pttl, ttl;
        for (int base = 0; base < kN; base += 1000) {
          redis::Request req;
          for (int i = base; i < base + 1000; ++i) {
            req.push("PTTL", entry_key(key(i)));
            req.push("GET", entry_key(key(i)));
          }
          auto replies = ok(co_await a.pool.exec_all(req), "PTTL");
          for (std::size_t j = 0; j + 1 < replies.size(); j += 2) {
            pttl.push_back(replies[j].integer);
            auto e = CacheEntry::parse(replies[j + 1].str);
            ttl.push_back(e ? e->expires_ms - e->created_ms : -1);
          }
        }
        const long long elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
                                      std::chrono::steady_clock::now() - t0)
                                      .count();
        CO_ASSERT_EQ(pttl.size(), static_cast<std::size_t>(kN));
        for (std::size_t i = 0; i < pttl.size(); ++i) {
          // PX == the jittered ttl (no stale/fail-safe extension), minus time passed.
          EXPECT_GE(pttl[i], 80'000 - elapsed - 1) << i;
          EXPECT_LE(pttl[i], 120'000) << i;
          EXPECT_LE(pttl[i], ttl[i]) << i;
          EXPECT_GE(pttl[i], ttl[i] - elapsed - 1) << i;
          EXPECT_GE(ttl[i], 80'000) << i;
          EXPECT_LE(ttl[i], 120'000) << i;
        }
        std::set<long long> distinct(ttl.begin(), ttl.end());
        double sum = 0, sq = 0;
        for (long long t : ttl) {
          sum += static_cast<double>(t);
          sq += static_cast<double>(t) * static_cast<double>(t);
        }
        const double mean = sum / kN;
        const double stddev = std::sqrt(sq / kN - mean * mean);
        const auto [lo, hi] = std::minmax_element(ttl.begin(), ttl.end());
        EXPECT_GT(distinct.size(), 1000u);
        // Uniform on [80 s, 120 s]: mean 100 s, stddev 40/sqrt(12) = 11.5 s.
        EXPECT_NEAR(mean, 100'000, 1'000);
        EXPECT_GT(stddev, 10'000);
        EXPECT_LT(stddev, 13'000);
        EXPECT_LT(*lo, 82'000);
        EXPECT_GT(*hi, 118'000);
      },
      120s);
}

TEST(CachePolicy, NegativeCaching) {
  RedisServer server;
  server.start();
  run_on_two_nodes(server, [&](asio::any_io_executor ex, Node& a, Node& b) -> awaitable<void> {
    CachePolicy policy = plain_policy();
    // Long enough that the steps below, on a loaded machine, all happen within it.
    policy.negative_ttl = 2s;
    const std::string key = "users:user:404";
    TestLoader l(ex);
    l.value = std::nullopt;
    auto r = co_await a.cache.get_or_set(key, l.loader(), policy);
    CO_ASSERT_TRUE(r.has_value());
    EXPECT_FALSE(r->value.has_value());
    r = co_await a.cache.get_or_set(key, l.loader(), policy);
    CO_ASSERT_TRUE(r.has_value());
    EXPECT_FALSE(r->value.has_value());
    EXPECT_NE(r->source, CacheSource::loader);
    EXPECT_EQ(l.calls, 1);
    // The "not found" is shared through Redis, with the negative ttl as its PX.
    CO_ASSERT_TRUE(co_await wait_until([&] {
      return server.cli({"EXISTS", entry_key(key)}) == "1";
    }));
    const long pttl = std::stol(server.cli({"PTTL", entry_key(key)}));
    EXPECT_GT(pttl, 0);
    EXPECT_LE(pttl, 2000);
    CO_ASSERT_TRUE(co_await bus_barrier(a, b));
    r = co_await b.cache.get_or_set(key, l.loader(), policy);
    CO_ASSERT_TRUE(r.has_value());
    EXPECT_FALSE(r->value.has_value());
    EXPECT_EQ(r->source, CacheSource::l2);
    EXPECT_EQ(l.calls, 1);

    // The negative ttl passes: the Redis entry expires, and A's L1 copy, which carries
    // the same absolute expiry (expires_ms), no later than it.
    CO_ASSERT_TRUE(co_await wait_until([&] {
      return server.cli({"EXISTS", entry_key(key)}) == "0";
    }));
    l.value = "created";
    r = co_await a.cache.get_or_set(key, l.loader(), policy);
    CO_ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->value, "created#2");
    EXPECT_EQ(l.calls, 2);
  });
}

TEST(CachePolicy, StaleWhileRevalidate) {
  RedisServer server;
  server.start();
  run_on_one_node(server, [&](asio::any_io_executor ex, Node& a) -> awaitable<void> {
    CachePolicy policy = plain_policy();
    policy.ttl = 300ms;
    policy.stale_grace = 30s;
    const std::string key = "products:product:swr";
    TestLoader l(ex);
    auto r = co_await a.cache.get_or_set(key, l.loader(), policy);
    CO_ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->value, "v#1");
    co_await sleep_for(500ms);  // past the ttl, within the grace

    // The entry keeps the expiry it was written with; the refresh writes with a ttl
    // long enough that the fresh value cannot go stale again before the last read,
    // however loaded the machine.
    policy.ttl = 60s;
    l.held = true;  // the refresh will wait: the stale answer must not
    r = co_await a.cache.get_or_set(key, l.loader(), policy);
    CO_ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->value, "v#1");
    EXPECT_TRUE(r->stale);
    CO_ASSERT_TRUE(co_await l.wait_calls(2));  // one background refresh
    // More stale readers meanwhile: still stale, still one refresh.
    for (int i = 0; i < 5; ++i) {
      r = co_await a.cache.get_or_set(key, l.loader(), policy);
      CO_ASSERT_TRUE(r.has_value());
      EXPECT_EQ(r->value, "v#1");
      EXPECT_TRUE(r->stale);
    }
    EXPECT_EQ(l.calls, 2);
    l.release();
    CO_ASSERT_TRUE(co_await l.wait_finished(2));
    CO_ASSERT_TRUE(co_await wait_until([&] {
      return server.cli({"GET", entry_key(key)}).find("v#2") != std::string::npos;
    }));
    r = co_await a.cache.get_or_set(key, l.loader(), policy);
    CO_ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->value, "v#2");
    EXPECT_FALSE(r->stale);
    EXPECT_EQ(l.calls, 2);
    EXPECT_GE(a.cache.stats().stale_served, 6u);
  });
}

TEST(CachePolicy, FailSafeServesStaleAndThrottlesTheLoader) {
  RedisServer server;
  server.start();
  run_on_two_nodes(server, [&](asio::any_io_executor ex, Node& a, Node& b) -> awaitable<void> {
    CachePolicy policy = plain_policy();
    policy.ttl = 200ms;
    policy.fail_safe_max = 60s;
    // Long enough that the reads "within the throttle" below fit in it on a loaded machine.
    policy.fail_safe_throttle = 3s;
    const std::string key = "products:product:fs";
    TestLoader l(ex);
    auto r = co_await a.cache.get_or_set(key, l.loader(), policy);
    CO_ASSERT_TRUE(r.has_value());
    co_await sleep_for(400ms);  // expired; kept physically for fail-safe

    l.fail = true;
    r = co_await a.cache.get_or_set(key, l.loader(), policy);
    CO_ASSERT_TRUE(r.has_value()) << r.error().message();
    EXPECT_EQ(r->value, "v#1");
    EXPECT_TRUE(r->stale);
    EXPECT_EQ(l.calls, 2);
    EXPECT_EQ(a.cache.stats().load_errors, 1u);
    // Within the throttle: the stale value, without calling the loader, on this
    // node and (through the re-cached entry in Redis) on the other one.
    for (int i = 0; i < 5; ++i) {
      r = co_await a.cache.get_or_set(key, l.loader(), policy);
      CO_ASSERT_TRUE(r.has_value());
      EXPECT_EQ(r->value, "v#1");
      EXPECT_TRUE(r->stale);
    }
    CO_ASSERT_TRUE(co_await bus_barrier(a, b));
    r = co_await b.cache.get_or_set(key, l.loader(), policy);
    CO_ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->value, "v#1");
    EXPECT_TRUE(r->stale);
    EXPECT_EQ(l.calls, 2);

    co_await sleep_for(3200ms);  // past the throttle: the origin is asked again
    l.fail = false;
    r = co_await a.cache.get_or_set(key, l.loader(), policy);
    CO_ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->value, "v#3");
    EXPECT_FALSE(r->stale);
  });
}

// fail_safe_max bounds how long after its ttl a value may be served: an origin that
// stays down longer than that gets errors, not an ever older value.
TEST(CachePolicy, FailSafeEndsAfterFailSafeMax) {
  RedisServer server;
  server.start();
  run_on_one_node(server, [&](asio::any_io_executor ex, Node& a) -> awaitable<void> {
    CachePolicy policy = plain_policy();
    policy.ttl = 100ms;
    policy.fail_safe_max = 600ms;
    policy.fail_safe_throttle = 100ms;
    const std::string key = "products:product:fsmax";
    TestLoader l(ex);
    CO_ASSERT_TRUE((co_await a.cache.get_or_set(key, l.loader(), policy)).has_value());
    const auto written = std::chrono::steady_clock::now();
    l.fail = true;
    // Keep asking while the origin is down, for twice ttl + fail_safe_max.
    bool failed_late = false;
    while (std::chrono::steady_clock::now() - written < 1400ms) {
      auto r = co_await a.cache.get_or_set(key, l.loader(), policy);
      const auto age = std::chrono::steady_clock::now() - written;
      if (r.has_value() && age > 1000ms) {
        ADD_FAILURE() << "value served "
                      << std::chrono::duration_cast<std::chrono::milliseconds>(age).count()
                      << " ms after it was written (ttl 100 ms + fail_safe_max 600 ms)";
        break;
      }
      if (!r.has_value() && age > 700ms) failed_late = true;
      co_await sleep_for(50ms);
    }
    EXPECT_TRUE(failed_late);
  });
}

TEST(CachePolicy, SoftTimeoutAnswersStaleAndCachesTheLateValue) {
  RedisServer server;
  server.start();
  run_on_one_node(server, [&](asio::any_io_executor ex, Node& a) -> awaitable<void> {
    CachePolicy policy = plain_policy();
    policy.ttl = 200ms;
    policy.soft_timeout = 50ms;
    policy.hard_timeout = 30s;
    const std::string key = "products:product:soft";
    TestLoader l(ex);
    CO_ASSERT_TRUE((co_await a.cache.get_or_set(key, l.loader(), policy)).has_value());
    co_await sleep_for(400ms);  // expired: a fail-safe value exists

    l.held = true;
    auto r = co_await a.cache.get_or_set(key, l.loader(), policy);
    CO_ASSERT_TRUE(r.has_value()) << r.error().message();
    EXPECT_EQ(r->value, "v#1");
    EXPECT_TRUE(r->stale);
    EXPECT_EQ(l.finished, 1) << "answered while the slow loader was still running";
    l.release();
    CO_ASSERT_TRUE(co_await l.wait_finished(2));
    r = co_await a.cache.get_or_set(key, l.loader(), policy);
    CO_ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->value, "v#2");
    EXPECT_FALSE(r->stale);
    EXPECT_EQ(l.calls, 2);
    CO_ASSERT_TRUE(co_await wait_until([&] {
      return server.cli({"GET", entry_key(key)}).find("v#2") != std::string::npos;
    }));
  });
}

TEST(CachePolicy, HardTimeoutWithoutStaleIsLoaderTimeout) {
  RedisServer server;
  server.start();
  run_on_one_node(server, [&](asio::any_io_executor ex, Node& a) -> awaitable<void> {
    CachePolicy policy = plain_policy();
    policy.hard_timeout = 100ms;
    TestLoader l(ex);
    l.held = true;
    auto r = co_await a.cache.get_or_set("products:product:hard", l.loader(), policy);
    CO_ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error(), CacheErrc::loader_timeout) << r.error().message();
    EXPECT_EQ(l.finished, 0);
    EXPECT_EQ(a.cache.stats().loads, 1u);
    // CacheStats::load_errors: "loader threw or timed out".
    EXPECT_EQ(a.cache.stats().load_errors, 1u);
    // The late value is still cached when it comes.
    l.release();
    CO_ASSERT_TRUE(co_await l.wait_finished(1));
    CO_ASSERT_TRUE(co_await wait_until([&] {
      return server.cli({"GET", entry_key("products:product:hard")}).find("v#1") !=
             std::string::npos;
    }));
  });
}

TEST(CachePolicy, LoaderThrowingWithoutStaleIsLoaderFailed) {
  RedisServer server;
  server.start();
  run_on_one_node(server, [&](asio::any_io_executor ex, Node& a) -> awaitable<void> {
    TestLoader l(ex);
    l.fail = true;
    const std::string key = "products:product:boom";
    auto r = co_await a.cache.get_or_set(key, l.loader(), plain_policy());
    CO_ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error(), CacheErrc::loader_failed) << r.error().message();
    EXPECT_EQ(a.cache.stats().load_errors, 1u);
    EXPECT_EQ(server.cli({"EXISTS", entry_key(key)}), "0");
    // The lock was released: the next caller loads at once.
    CO_ASSERT_TRUE(co_await wait_until([&] {
      return server.cli({"EXISTS", lock_key(key)}) == "0";
    }));
    l.fail = false;
    r = co_await a.cache.get_or_set(key, l.loader(), plain_policy());
    CO_ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->value, "v#2");
    EXPECT_EQ(a.cache.stats().lock_waits, 0u);
  });
}

TEST(CachePolicy, EagerRefresh) {
  RedisServer server;
  server.start();
  run_on_one_node(server, [&](asio::any_io_executor ex, Node& a) -> awaitable<void> {
    CachePolicy policy = plain_policy();
    policy.ttl = 3s;
    policy.eager_refresh = 0.3;
    const std::string key = "products:product:eager";
    TestLoader l(ex);
    CO_ASSERT_TRUE((co_await a.cache.get_or_set(key, l.loader(), policy)).has_value());
    auto r = co_await a.cache.get_or_set(key, l.loader(), policy);
    EXPECT_EQ(l.calls, 1);  // before 30% of the ttl: a plain hit
    co_await sleep_for(1200ms);
    l.held = true;
    r = co_await a.cache.get_or_set(key, l.loader(), policy);
    CO_ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->value, "v#1");  // answered at once
    EXPECT_FALSE(r->stale);
    if (!co_await l.wait_calls(2, 3s)) {
      ADD_FAILURE() << "no background refresh within 3 s; lock key exists: "
                    << server.cli({"EXISTS", lock_key(key)})
                    << ", its PTTL: " << server.cli({"PTTL", lock_key(key)});
      co_return;
    }
    r = co_await a.cache.get_or_set(key, l.loader(), policy);  // no second refresh
    EXPECT_EQ(l.calls, 2);
    l.release();
    CO_ASSERT_TRUE(co_await l.wait_finished(2));
    r = co_await a.cache.get_or_set(key, l.loader(), policy);
    CO_ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->value, "v#2");
    EXPECT_EQ(l.calls, 2);
  });
}

}  // namespace
}  // namespace herald::cache::test
