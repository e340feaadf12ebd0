// Cache without Redis (pool == nullptr): an L1-only cache on one node. Single flight,
// negative caching, invalidation by key, tag (L1 generations) and namespace, loads
// that an invalidation overtakes, loader failures and timeouts, fail-safe, stats.
// No sockets: everything runs on one io_context with timers.
#include <herald/cache/cache.hpp>
#include <herald/cache/cache_key.hpp>
#include <herald/redis/pool.hpp>
#include <herald/redis/url.hpp>

#include "support/run_coro.hpp"

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <stdexcept>
#include <string>
#include <vector>

namespace herald::cache {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using herald::test::run_coro;
using herald::test::Signal;
using herald::test::sleep_for;
using namespace std::chrono_literals;

/// A loader whose calls are counted and which, while `held`, waits until release().
struct TestLoader {
  explicit TestLoader(asio::any_io_executor ex) : gate(ex), changed(ex) {
    gate.expires_at(asio::steady_timer::time_point::max());
  }

  Loader loader() {
    return [this]() -> awaitable<std::optional<std::string>> {
      ++calls;
      changed.notify();
      while (held) co_await gate.async_wait(asio::as_tuple(asio::use_awaitable));
      if (delay.count() > 0) co_await sleep_for(delay);
      ++finished;
      changed.notify();
      if (fail) throw std::runtime_error("origin down");
      if (!value) co_return std::nullopt;
      co_return *value + "#" + std::to_string(calls);
    };
  }
  void release() {
    held = false;
    gate.cancel();
  }
  awaitable<bool> wait_calls(int n) {
    return changed.wait([this, n] { return calls >= n; }, 10s);
  }

  asio::steady_timer gate;
  Signal changed;
  int calls = 0;
  int finished = 0;
  bool held = false;
  bool fail = false;
  std::chrono::milliseconds delay{0};
  std::optional<std::string> value = "v";
};

Cache make_cache(asio::any_io_executor ex, CacheConfig cfg = {}) {
  return Cache(std::move(ex), std::move(cfg), nullptr, std::nullopt);
}

CachePolicy policy(std::vector<std::string> tags = {}) {
  CachePolicy p;
  p.jitter = 0;
  p.tags = std::move(tags);
  return p;
}

// A pool without a bus would be an L2 whose L1 copies never hear other nodes'
// invalidations: refused at construction, with the reason. No pool: the bus is not
// needed (an L1-only cache), whatever is passed.
TEST(L1OnlyCache, PoolWithoutBusIsRejected) {
  asio::io_context io;
  redis::ConnectionConfig rc;
  rc.url = *redis::RedisUrl::parse("redis://127.0.0.1:1");
  redis::Pool pool(io.get_executor(), rc, 1);  // never started: no socket
  try {
    Cache cache(io.get_executor(), CacheConfig{}, &pool, std::nullopt);
    ADD_FAILURE() << "a pool without a bus was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("invalidation bus"), std::string::npos) << e.what();
  }
  Cache l1_only(io.get_executor(), CacheConfig{}, nullptr, rc);
  EXPECT_TRUE(l1_only.coherent());
}

TEST(L1OnlyCache, MissLoadsThenHits) {
  run_coro([](asio::any_io_executor ex) -> awaitable<void> {
    Cache cache = make_cache(ex);
    cache.start();
    EXPECT_TRUE(cache.coherent());  // nothing to be incoherent with
    TestLoader l(ex);
    auto r = co_await cache.get_or_set("ns:e:1", l.loader(), policy());
    CO_ASSERT_TRUE(r.has_value()) << r.error().message();
    EXPECT_EQ(r->value, "v#1");
    EXPECT_EQ(r->source, CacheSource::loader);
    EXPECT_FALSE(r->stale);
    for (int i = 0; i < 3; ++i) {
      r = co_await cache.get_or_set("ns:e:1", l.loader(), policy());
      CO_ASSERT_TRUE(r.has_value());
      EXPECT_EQ(r->value, "v#1");
      EXPECT_EQ(r->source, CacheSource::l1);
    }
    EXPECT_EQ(l.calls, 1);
    auto g = co_await cache.get("ns:e:1", policy());
    CO_ASSERT_TRUE(g.has_value());
    EXPECT_EQ(g->value, "v#1");
    EXPECT_FALSE((co_await cache.get("ns:e:2", policy())).has_value());

    const CacheStats& s = cache.stats();
    EXPECT_EQ(s.loads, 1u);
    EXPECT_EQ(s.l1_hits, 4u);
    EXPECT_EQ(s.l2_hits, 0u);
    EXPECT_EQ(s.l2_misses, 2u);  // the first get_or_set and the get of ns:e:2
    EXPECT_DOUBLE_EQ(s.hit_ratio(), 4.0 / 6.0);
    EXPECT_EQ(cache.l1_size(), 1u);
    EXPECT_GT(cache.l1_bytes(), 0u);
  });
}

TEST(L1OnlyCache, SingleFlightOneLoadForConcurrentCallers) {
  run_coro([](asio::any_io_executor ex) -> awaitable<void> {
    Cache cache = make_cache(ex);
    TestLoader l(ex);
    l.delay = 20ms;
    constexpr int kCallers = 200;
    int done = 0, wrong = 0;
    Signal all(ex);
    for (int i = 0; i < kCallers; ++i) {
      asio::co_spawn(
          ex,
          [&]() -> awaitable<void> {
            auto r = co_await cache.get_or_set("ns:hot", l.loader(), policy());
            if (!r || r->value != "v#1") ++wrong;
            ++done;
            all.notify();
          },
          asio::detached);
    }
    EXPECT_TRUE(co_await all.wait([&] { return done == kCallers; }, 10s));
    EXPECT_EQ(wrong, 0);
    EXPECT_EQ(l.calls, 1);
    EXPECT_EQ(cache.stats().loads, 1u);
  });
}

TEST(L1OnlyCache, NegativeCaching) {
  run_coro([](asio::any_io_executor ex) -> awaitable<void> {
    Cache cache = make_cache(ex);
    TestLoader l(ex);
    l.value = std::nullopt;
    CachePolicy p = policy();
    p.negative_ttl = 200ms;
    auto r = co_await cache.get_or_set("ns:missing", l.loader(), p);
    CO_ASSERT_TRUE(r.has_value());
    EXPECT_FALSE(r->value.has_value());
    r = co_await cache.get_or_set("ns:missing", l.loader(), p);
    CO_ASSERT_TRUE(r.has_value());
    EXPECT_FALSE(r->value.has_value());
    EXPECT_EQ(r->source, CacheSource::l1);
    EXPECT_EQ(l.calls, 1);
    // get() tells a cached "not found" (a value with no payload) from a miss.
    auto g = co_await cache.get("ns:missing", p);
    CO_ASSERT_TRUE(g.has_value());
    EXPECT_FALSE(g->value.has_value());

    co_await sleep_for(300ms);  // the negative ttl must pass
    l.value = "now-exists";
    r = co_await cache.get_or_set("ns:missing", l.loader(), p);
    CO_ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->value, "now-exists#2");
    EXPECT_EQ(l.calls, 2);
  });
}

TEST(L1OnlyCache, NegativeTtlZeroDisablesNegativeCaching) {
  run_coro([](asio::any_io_executor ex) -> awaitable<void> {
    Cache cache = make_cache(ex);
    TestLoader l(ex);
    l.value = std::nullopt;
    CachePolicy p = policy();
    p.negative_ttl = 0ms;
    for (int i = 0; i < 3; ++i) {
      auto r = co_await cache.get_or_set("ns:missing", l.loader(), p);
      CO_ASSERT_TRUE(r.has_value());
      EXPECT_FALSE(r->value.has_value());
    }
    EXPECT_EQ(l.calls, 3);
  });
}

TEST(L1OnlyCache, L1TtlZeroCachesNothing) {
  run_coro([](asio::any_io_executor ex) -> awaitable<void> {
    Cache cache = make_cache(ex);
    TestLoader l(ex);
    CachePolicy p = policy();
    p.l1_ttl = 0ms;
    for (int i = 0; i < 3; ++i) CO_ASSERT_TRUE((co_await cache.get_or_set("ns:k", l.loader(), p)));
    EXPECT_EQ(l.calls, 3);
    EXPECT_EQ(cache.l1_size(), 0u);
  });
}

TEST(L1OnlyCache, SetStoresAndRemoveDrops) {
  run_coro([](asio::any_io_executor ex) -> awaitable<void> {
    Cache cache = make_cache(ex);
    TestLoader l(ex);
    co_await cache.set("ns:k", "written", policy());
    auto r = co_await cache.get_or_set("ns:k", l.loader(), policy());
    CO_ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->value, "written");
    EXPECT_EQ(r->source, CacheSource::l1);
    EXPECT_EQ(l.calls, 0);

    CO_ASSERT_TRUE((co_await cache.remove("ns:k")).has_value());
    EXPECT_FALSE((co_await cache.get("ns:k", policy())).has_value());
    r = co_await cache.get_or_set("ns:k", l.loader(), policy());
    CO_ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->value, "v#1");
    EXPECT_EQ(l.calls, 1);
    EXPECT_EQ(cache.stats().invalidations, 1u);
  });
}

TEST(L1OnlyCache, TagInvalidationUsesGenerations) {
  run_coro([](asio::any_io_executor ex) -> awaitable<void> {
    Cache cache = make_cache(ex);
    std::vector<std::vector<std::string>> heard;
    cache.on_invalidate([&](const std::vector<std::string>& tags) { heard.push_back(tags); });
    // Named policies and tag lists: g++ 12 miscompiles braced lists inside co_await.
    const CachePolicy t = policy({"t"}), ut = policy({"u", "t"}), u = policy({"u"});
    const std::vector<std::string> just_t{"t"}, invalid{"", "bad\ntag"};
    co_await cache.set("ns:a", "a", t);
    co_await cache.set("ns:b", "b", ut);
    co_await cache.set("ns:c", "c", u);
    co_await cache.set("ns:d", "d", policy());

    auto n = co_await cache.invalidate_tags(just_t);
    CO_ASSERT_TRUE(n.has_value());
    CO_ASSERT_EQ(heard.size(), 1u);
    EXPECT_EQ(heard[0], std::vector<std::string>{"t"});
    EXPECT_FALSE((co_await cache.get("ns:a", t)).has_value());
    EXPECT_FALSE((co_await cache.get("ns:b", ut)).has_value());
    auto c = co_await cache.get("ns:c", u);
    CO_ASSERT_TRUE(c.has_value());
    EXPECT_EQ(c->value, "c");
    auto d = co_await cache.get("ns:d", policy());
    CO_ASSERT_TRUE(d.has_value());
    EXPECT_EQ(d->value, "d");

    // Entries written after the invalidation are valid again.
    co_await cache.set("ns:a", "a2", t);
    auto a = co_await cache.get("ns:a", t);
    CO_ASSERT_TRUE(a.has_value());
    EXPECT_EQ(a->value, "a2");

    // Invalid tags are ignored; nothing is invalidated, nobody is told.
    auto none = co_await cache.invalidate_tags(invalid);
    CO_ASSERT_TRUE(none.has_value());
    EXPECT_EQ(*none, 0u);
    EXPECT_EQ(heard.size(), 1u);
    EXPECT_TRUE((co_await cache.get("ns:a", t)).has_value());
  });
}

TEST(L1OnlyCache, NamespaceInvalidation) {
  run_coro([](asio::any_io_executor ex) -> awaitable<void> {
    Cache cache = make_cache(ex);
    const std::vector<std::string> keys{"ns:a", "ns:b:1", "ns2:a", "other:ns:a"};
    for (const auto& k : keys) co_await cache.set(k, k, policy());
    auto n = co_await cache.invalidate_namespace("ns");
    CO_ASSERT_TRUE(n.has_value());
    EXPECT_FALSE((co_await cache.get("ns:a", policy())).has_value());
    EXPECT_FALSE((co_await cache.get("ns:b:1", policy())).has_value());
    EXPECT_TRUE((co_await cache.get("ns2:a", policy())).has_value());
    EXPECT_TRUE((co_await cache.get("other:ns:a", policy())).has_value());
  });
}

enum class Invalidation { key, tag, ns };

std::string name(Invalidation i) {
  switch (i) {
    case Invalidation::key:
      return "key";
    case Invalidation::tag:
      return "tag";
    case Invalidation::ns:
      return "ns";
  }
  return "?";
}

awaitable<void> invalidate(Cache& cache, Invalidation how, const std::string& key) {
  switch (how) {
    case Invalidation::key:
      (void)co_await cache.remove(key);
      break;
    case Invalidation::tag: {
      const std::vector<std::string> tags{"t"};
      (void)co_await cache.invalidate_tags(tags);
      break;
    }
    case Invalidation::ns:
      (void)co_await cache.invalidate_namespace(std::string(CacheKey::namespace_of(key)));
      break;
  }
}

class L1OnlyInvalidationDuringLoad : public testing::TestWithParam<Invalidation> {};

// A load that an invalidation overtakes returns its value to its caller but does
// not cache it: the next read loads again.
TEST_P(L1OnlyInvalidationDuringLoad, ResultReturnedNotCached) {
  const Invalidation how = GetParam();
  run_coro([how](asio::any_io_executor ex) -> awaitable<void> {
    Cache cache = make_cache(ex);
    TestLoader l(ex);
    l.held = true;
    const std::string key = "ns:slow";
    const CachePolicy tagged = policy({"t"});
    std::optional<Result<CacheValue>> first;
    asio::co_spawn(
        ex,
        [&]() -> awaitable<void> {
          first = co_await cache.get_or_set(key, l.loader(), tagged);
          l.changed.notify();
        },
        asio::detached);
    CO_ASSERT_TRUE(co_await l.wait_calls(1));
    co_await invalidate(cache, how, key);
    l.release();
    CO_ASSERT_TRUE(co_await l.changed.wait([&] { return first.has_value(); }, 10s));
    CO_ASSERT_TRUE(first->has_value());
    EXPECT_EQ((*first)->value, "v#1");
    EXPECT_EQ((*first)->source, CacheSource::loader);

    auto again = co_await cache.get_or_set(key, l.loader(), tagged);
    CO_ASSERT_TRUE(again.has_value());
    EXPECT_EQ(again->value, "v#2");
    EXPECT_EQ(again->source, CacheSource::loader);
    EXPECT_EQ(l.calls, 2);
    // ...and that second load is cached.
    auto third = co_await cache.get_or_set(key, l.loader(), tagged);
    CO_ASSERT_TRUE(third.has_value());
    EXPECT_EQ(third->value, "v#2");
    EXPECT_EQ(l.calls, 2);
  });
}

INSTANTIATE_TEST_SUITE_P(All, L1OnlyInvalidationDuringLoad,
                         testing::Values(Invalidation::key, Invalidation::tag, Invalidation::ns),
                         [](const auto& info) { return name(info.param); });

TEST(L1OnlyCache, LoaderThrowingWithoutStaleIsLoaderFailed) {
  run_coro([](asio::any_io_executor ex) -> awaitable<void> {
    Cache cache = make_cache(ex);
    TestLoader l(ex);
    l.fail = true;
    auto r = co_await cache.get_or_set("ns:k", l.loader(), policy());
    CO_ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error(), CacheErrc::loader_failed) << r.error().message();
    EXPECT_EQ(cache.stats().load_errors, 1u);
    // Failures are not cached.
    l.fail = false;
    r = co_await cache.get_or_set("ns:k", l.loader(), policy());
    CO_ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->value, "v#2");
  });
}

TEST(L1OnlyCache, HardTimeoutWithoutStaleIsLoaderTimeoutAndLoadStillCaches) {
  run_coro([](asio::any_io_executor ex) -> awaitable<void> {
    Cache cache = make_cache(ex);
    TestLoader l(ex);
    l.held = true;
    CachePolicy p = policy();
    p.hard_timeout = 50ms;
    auto r = co_await cache.get_or_set("ns:k", l.loader(), p);
    CO_ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error(), CacheErrc::loader_timeout) << r.error().message();
    EXPECT_EQ(l.finished, 0);  // answered while the loader was still running
    // The load goes on in the background and its value is cached when it ends.
    l.release();
    CO_ASSERT_TRUE(co_await l.changed.wait([&] { return l.finished == 1; }, 10s));
    auto g = co_await cache.get("ns:k", p);
    CO_ASSERT_TRUE(g.has_value());
    EXPECT_EQ(g->value, "v#1");
  });
}

TEST(L1OnlyCache, FailSafeServesStaleAndThrottles) {
  run_coro([](asio::any_io_executor ex) -> awaitable<void> {
    Cache cache = make_cache(ex);
    TestLoader l(ex);
    CachePolicy p = policy();
    p.ttl = 100ms;
    p.fail_safe_max = 60s;
    p.fail_safe_throttle = 300ms;
    auto r = co_await cache.get_or_set("ns:k", l.loader(), p);
    CO_ASSERT_TRUE(r.has_value());
    co_await sleep_for(150ms);  // past the ttl
    l.fail = true;
    r = co_await cache.get_or_set("ns:k", l.loader(), p);
    CO_ASSERT_TRUE(r.has_value()) << r.error().message();
    EXPECT_EQ(r->value, "v#1");
    EXPECT_TRUE(r->stale);
    EXPECT_EQ(l.calls, 2);
    // Within the throttle the stale value is reused without asking the origin.
    for (int i = 0; i < 5; ++i) {
      r = co_await cache.get_or_set("ns:k", l.loader(), p);
      CO_ASSERT_TRUE(r.has_value());
      EXPECT_EQ(r->value, "v#1");
      EXPECT_TRUE(r->stale);
    }
    EXPECT_EQ(l.calls, 2);
    EXPECT_GE(cache.stats().stale_served, 6u);
    co_await sleep_for(400ms);  // past the throttle: the origin is tried again
    l.fail = false;
    r = co_await cache.get_or_set("ns:k", l.loader(), p);
    CO_ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->value, "v#3");
    EXPECT_FALSE(r->stale);
  });
}

TEST(L1OnlyCache, FailSafeOffMeansError) {
  run_coro([](asio::any_io_executor ex) -> awaitable<void> {
    Cache cache = make_cache(ex);
    TestLoader l(ex);
    CachePolicy p = policy();
    p.ttl = 50ms;
    p.fail_safe_max = 0ms;
    CO_ASSERT_TRUE((co_await cache.get_or_set("ns:k", l.loader(), p)).has_value());
    co_await sleep_for(100ms);
    l.fail = true;
    auto r = co_await cache.get_or_set("ns:k", l.loader(), p);
    CO_ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error(), CacheErrc::loader_failed);
  });
}

TEST(L1OnlyCache, EagerRefreshReloadsInTheBackground) {
  run_coro([](asio::any_io_executor ex) -> awaitable<void> {
    Cache cache = make_cache(ex);
    TestLoader l(ex);
    CachePolicy p = policy();
    p.ttl = 2s;
    p.eager_refresh = 0.3;
    CO_ASSERT_TRUE((co_await cache.get_or_set("ns:k", l.loader(), p)).has_value());
    auto r = co_await cache.get_or_set("ns:k", l.loader(), p);  // before 30%: a plain hit
    EXPECT_EQ(l.calls, 1);
    co_await sleep_for(800ms);  // past 30% of the ttl, well before its end
    r = co_await cache.get_or_set("ns:k", l.loader(), p);
    CO_ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->value, "v#1");  // answered at once from L1
    EXPECT_EQ(r->source, CacheSource::l1);
    CO_ASSERT_TRUE(co_await l.changed.wait([&] { return l.finished == 2; }, 10s));
    r = co_await cache.get_or_set("ns:k", l.loader(), p);
    CO_ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->value, "v#2");
    EXPECT_EQ(r->source, CacheSource::l1);
    EXPECT_EQ(l.calls, 2);
  });
}

TEST(L1OnlyCache, L1BoundIsRespected) {
  run_coro([](asio::any_io_executor ex) -> awaitable<void> {
    CacheConfig cfg;
    cfg.l1_max_entries = 10;
    Cache cache = make_cache(ex, cfg);
    for (int i = 0; i < 50; ++i) co_await cache.set("ns:" + std::to_string(i), "x", policy());
    EXPECT_EQ(cache.l1_size(), 10u);
    EXPECT_TRUE((co_await cache.get("ns:49", policy())).has_value());
    EXPECT_FALSE((co_await cache.get("ns:0", policy())).has_value());
  });
}

TEST(CacheError, Messages) {
  EXPECT_EQ(make_error_code(CacheErrc::loader_timeout).category().name(),
            std::string("herald.cache"));
  for (auto e : {CacheErrc::loader_failed, CacheErrc::loader_timeout, CacheErrc::decode_failed,
                 CacheErrc::redis_unavailable}) {
    boost::system::error_code ec = e;
    EXPECT_FALSE(ec.message().empty());
    EXPECT_NE(ec.message(), "unknown cache error");
  }
}

}  // namespace
}  // namespace herald::cache
