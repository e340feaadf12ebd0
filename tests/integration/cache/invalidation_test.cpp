// Invalidation against a real redis-server, with two nodes: a tag over 100,000
// entries costs O(1) Redis writes and no node serves any of them afterwards; a
// namespace of 100,000 keys is deleted without any slow Redis command; removals and
// tag invalidations reach the other node's L1 over the bus; a load overtaken by an
// invalidation (local or remote) is returned but not cached; and an L2 read that an
// invalidation overtakes must not leave the old value in L1.
#include "cache_test_util.hpp"

#include "cache/cache_entry.hpp"

#include <gtest/gtest.h>

#include <map>
#include <ostream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace herald::cache::test {
namespace {

using herald::test::cmd;
using herald::test::ok;
using herald::test::run_coro;
using herald::test::str;

/// `INFO commandstats` as {command: calls}.
std::map<std::string, long> command_calls(const RedisServer& server) {
  std::map<std::string, long> out;
  std::istringstream in(server.cli({"INFO", "commandstats"}));
  std::string line;
  while (std::getline(in, line)) {
    // cmdstat_incr:calls=1,usec=3,...
    if (!line.starts_with("cmdstat_")) continue;
    auto colon = line.find(':');
    auto calls = line.find("calls=");
    if (colon == std::string::npos || calls == std::string::npos) continue;
    out[line.substr(8, colon - 8)] = std::stol(line.substr(calls + 6));
  }
  return out;
}

std::string item_key(int i) {
  return CacheKey("items").entity("item").id(i).str();
}

TEST(CacheInvalidation, TagOverHundredThousandEntriesIsOneWriteAndReachesEveryNode) {
  RedisServer server;
  server.start();
  run_coro(
      [&](asio::any_io_executor ex) -> awaitable<void> {
        Node a(ex, server.url());
        CO_ASSERT_TRUE(co_await a.ready());
        CachePolicy policy = plain_policy({"big"});
        policy.ttl = 600s;

        // 1,000 entries through the cache's write path (set(): the compare-and-set
        // script counts each under its tag), then 99,000 more written straight into
        // Redis as that script would (same envelope, same per-tag counter), pipelined:
        // a 100,000-entry tag in seconds, even under ASan on a loaded machine.
        constexpr int kEntries = 100'000;
        constexpr int kThroughCache = 1'000;
        CO_ASSERT_TRUE(
            co_await for_each_concurrent(ex, kThroughCache, 128, [&](int i) -> awaitable<void> {
              co_await a.cache.set(item_key(i), "value-" + std::to_string(i), policy);
            }));
        auto written = CacheEntry::parse(server.cli({"GET", entry_key(item_key(0))}));
        CO_ASSERT_TRUE(written.has_value());
        CO_ASSERT_EQ(written->tags.size(), 1u);
        for (int base = kThroughCache; base < kEntries; base += 1000) {
          redis::Request req;
          for (int i = base; i < base + 1000; ++i) {
            CacheEntry e = *written;
            e.stamp = new_stamp();
            e.payload = "value-" + std::to_string(i);
            e.ns_version = "0.0";  // "<generation>.<namespace version>", both still 0
            req.push("SET", entry_key(item_key(i)), e.encode(), "PX", 600'000);
          }
          req.push("INCRBY", default_layout().tag_count("big"), 1000);
          ok(co_await a.pool.exec_all(req), "bulk SET");
        }
        EXPECT_EQ(server.cli({"GET", default_layout().tag_count("big")}), std::to_string(kEntries));
        // The second node joins now (the write notices of set() would have found
        // nothing in its L1).
        Node b(ex, server.url());
        const std::vector<Node*> both{&a, &b};
        CO_ASSERT_TRUE(co_await b.ready());

        // A sample (of both kinds) is served from L2 and then from L1 on both nodes.
        std::vector<int> sample;
        for (int i = 0; i < kEntries; i += 997) sample.push_back(i);
        for (int i : sample) {
          for (Node* node : both) {
            auto r = co_await node->cache.get(item_key(i), policy);
            CO_ASSERT_TRUE(r.has_value()) << i;
            EXPECT_EQ(r->value, "value-" + std::to_string(i));
            r = co_await node->cache.get(item_key(i), policy);
            CO_ASSERT_TRUE(r.has_value());
            EXPECT_EQ(r->source, CacheSource::l1);
          }
        }
        const std::string dbsize_before = server.cli({"DBSIZE"});

        server.cli({"CONFIG", "RESETSTAT"});
        const std::vector<std::string> big{"big"};
        auto n = co_await a.cache.invalidate_tags(big);
        auto calls = command_calls(server);
        CO_ASSERT_TRUE(n.has_value()) << n.error().message();
        EXPECT_EQ(*n, static_cast<std::size_t>(kEntries));  // an upper bound; exact here
        EXPECT_EQ(calls["incr"], 1);
        const std::set<std::string> allowed = {"incr", "getdel",           "publish",
                                               "info", "config|resetstat", "ping"};
        long writes = 0;
        for (const auto& [command, count] : calls) {
          EXPECT_TRUE(allowed.count(command)) << command << " called " << count << " times";
          if (command == "incr" || command == "getdel") writes += count;
        }
        EXPECT_LE(writes, 2);  // INCR of the version, GETDEL of the counter
        EXPECT_EQ(server.cli({"DBSIZE"}), dbsize_before) << "no entry was deleted or rewritten";

        // No node serves any of them any more, from L1 or L2.
        CO_ASSERT_TRUE(co_await b.wait_heard("big"));
        EXPECT_TRUE(co_await a.wait_heard("big"));  // local listeners hear it too
        for (int i : sample) {
          for (Node* node : both) {
            auto r = co_await node->cache.get(item_key(i), policy);
            EXPECT_FALSE(r.has_value())
                << "key " << i << " still served: " << r->value.value_or("");
          }
        }
        TestLoader loader(ex);
        for (int i : sample) {
          auto r = co_await b.cache.get_or_set(item_key(i), loader.loader(), policy);
          CO_ASSERT_TRUE(r.has_value());
          EXPECT_EQ(r->source, CacheSource::loader);
        }
        EXPECT_EQ(loader.calls, static_cast<int>(sample.size()));
      },
      180s);
}

TEST(CacheInvalidation, NamespaceOfHundredThousandKeysHasNoSlowCommand) {
  RedisServer server;
  server.start();
  run_coro(
      [&](asio::any_io_executor ex) -> awaitable<void> {
        Node a(ex, server.url());
        Node b(ex, server.url());
        const std::vector<Node*> both{&a, &b};
        CO_ASSERT_TRUE(co_await a.ready());
        CO_ASSERT_TRUE(co_await b.ready());
        CachePolicy policy = plain_policy();
        policy.ttl = 600s;

        // Bulk entries written straight into Redis (the envelope the cache writes),
        // pipelined: this test is about the clean-up, not the write path.
        constexpr int kEntries = 100'000;
        const std::int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count();
        for (int base = 0; base < kEntries; base += 1000) {
          redis::Request req;
          for (int i = base; i < base + 1000; ++i) {
            CacheEntry e;
            e.stamp = new_stamp();
            e.created_ms = now;
            e.expires_ms = now + 600'000;
            e.payload = "value-" + std::to_string(i);
            e.ns_version = "0.0";  // "<generation>.<namespace version>", both still 0
            req.push("SET", entry_key(item_key(i)), e.encode(), "PX", 600'000);
          }
          ok(co_await a.pool.exec_all(req), "bulk SET");
        }
        // A few through the cache, and another namespace that must survive.
        for (int i = kEntries; i < kEntries + 10; ++i)
          co_await a.cache.set(item_key(i), "x", policy);
        for (int i = 0; i < 100; ++i)
          co_await a.cache.set(CacheKey("other").entity("item").id(i).str(), "keep", policy);
        CO_ASSERT_TRUE(co_await bus_barrier(a, b));
        const std::vector<int> sample = {0, 1, 4242, 99'999, kEntries + 3};
        for (int i : sample)
          for (Node* node : both) {
            auto r = co_await node->cache.get(item_key(i), policy);
            CO_ASSERT_TRUE(r.has_value()) << i;
          }

        server.cli({"CONFIG", "SET", "slowlog-log-slower-than", "10000"});
        server.cli({"SLOWLOG", "RESET"});
        server.cli({"CONFIG", "RESETSTAT"});
        auto n = co_await a.cache.invalidate_namespace("items");
        CO_ASSERT_TRUE(n.has_value()) << n.error().message();
        EXPECT_EQ(*n, static_cast<std::size_t>(kEntries + 10));
        // What must never appear is a call that is slow by construction (KEYS, one
        // huge DEL/UNLINK). Whether a batch-sized call crosses 10 ms depends on the
        // machine's load (a descheduled redis-server logs one now and then), so the
        // test checks the shape of the calls, not their durations: batches (>= 50
        // SCANs and UNLINKs for 100k keys), no KEYS and no DEL, and no KEYS in the
        // slow log.
        const std::string slowlog = server.cli({"SLOWLOG", "GET", "128"});
        EXPECT_EQ(slowlog.find("KEYS"), std::string::npos) << slowlog;
        auto calls = command_calls(server);
        EXPECT_GE(calls["scan"], 50) << "deleted in batches";
        EXPECT_GE(calls["unlink"], 50);
        EXPECT_EQ(calls["keys"], 0);
        EXPECT_EQ(calls["del"], 0);
        EXPECT_EQ(server.cli({"EVAL", "return #redis.call('KEYS', ARGV[1])", "0",
                              default_layout().namespace_entries_pattern("items")}),
                  "0");
        EXPECT_EQ(server.cli({"EVAL", "return #redis.call('KEYS', ARGV[1])", "0",
                              default_layout().namespace_entries_pattern("other")}),
                  "100");

        CO_ASSERT_TRUE(co_await bus_barrier(a, b));
        for (int i : sample)
          for (Node* node : both)
            EXPECT_FALSE((co_await node->cache.get(item_key(i), policy)).has_value()) << i;
        for (Node* node : both) {
          auto r = co_await node->cache.get(CacheKey("other").entity("item").id(5).str(), policy);
          CO_ASSERT_TRUE(r.has_value());
          EXPECT_EQ(r->value, "keep");
        }
      },
      180s);
}

TEST(CacheInvalidation, RemoveAndTagsReachTheOtherNodesL1) {
  RedisServer server;
  server.start();
  run_on_two_nodes(server, [&](asio::any_io_executor ex, Node& a, Node& b) -> awaitable<void> {
    const CachePolicy tagged = plain_policy({"products", "products:1"});
    const std::string k1 = "products:product:1", k2 = "products:product:2";
    co_await a.cache.set(k1, "one", tagged);
    co_await a.cache.set(k2, "two", plain_policy());
    CO_ASSERT_TRUE(co_await bus_barrier(a, b));
    const std::vector<std::pair<std::string, CachePolicy>> entries{{k1, tagged},
                                                                   {k2, plain_policy()}};
    for (const auto& [k, p] : entries) {
      auto r = co_await b.cache.get(k, p);
      CO_ASSERT_TRUE(r.has_value());
      r = co_await b.cache.get(k, p);
      CO_ASSERT_TRUE(r.has_value());
      EXPECT_EQ(r->source, CacheSource::l1) << k;
    }

    // Tag: B's L1 copy stops being served once the bus message arrives, and B's
    // listener hears the tag.
    const std::vector<std::string> p1{"products:1"};
    CO_ASSERT_TRUE((co_await a.cache.invalidate_tags(p1)).has_value());
    CO_ASSERT_TRUE(co_await b.wait_heard("products:1"));
    EXPECT_FALSE((co_await b.cache.get(k1, tagged)).has_value());
    EXPECT_FALSE((co_await a.cache.get(k1, tagged)).has_value());

    // Key: same for remove().
    CO_ASSERT_TRUE((co_await a.cache.remove(k2)).has_value());
    CO_ASSERT_TRUE(co_await bus_barrier(a, b));
    EXPECT_FALSE((co_await b.cache.get(k2, plain_policy())).has_value());
    TestLoader loader(ex);
    auto r = co_await b.cache.get_or_set(k2, loader.loader(), plain_policy());
    CO_ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->value, "v#1");
    EXPECT_EQ(r->source, CacheSource::loader);
    EXPECT_GE(b.cache.stats().invalidations + a.cache.stats().invalidations, 2u);
  });
}

TEST(CacheInvalidation, ClearDropsEverythingOnEveryNode) {
  RedisServer server;
  server.start();
  run_on_two_nodes(server, [&](asio::any_io_executor, Node& a, Node& b) -> awaitable<void> {
    const CachePolicy tagged = plain_policy({"t"});
    for (int i = 0; i < 50; ++i) co_await a.cache.set(item_key(i), "x", tagged);
    CO_ASSERT_TRUE(co_await bus_barrier(a, b));
    for (int i = 0; i < 50; ++i)
      CO_ASSERT_TRUE((co_await b.cache.get(item_key(i), tagged)).has_value());
    server.cli({"SET", "unrelated", "1"});  // not under the cache's prefix: kept

    auto n = co_await a.cache.clear();
    CO_ASSERT_TRUE(n.has_value()) << n.error().message();
    EXPECT_GE(*n, 50u);
    // Entries are gone; version counters stay (versions never go backwards).
    EXPECT_EQ(server.cli({"--scan", "--pattern", default_layout().all_entries_pattern()}), "");
    EXPECT_EQ(server.cli({"EXISTS", "unrelated"}), "1");
    EXPECT_EQ(a.cache.l1_size(), 0u);
    CO_ASSERT_TRUE(co_await bus_barrier(a, b));
    EXPECT_EQ(b.cache.l1_size(), 0u);
    const std::vector<Node*> both{&a, &b};
    for (int i = 0; i < 50; i += 7)
      for (Node* node : both)
        EXPECT_FALSE((co_await node->cache.get(item_key(i), tagged)).has_value()) << i;
  });
}

// clear() deletes the version counters instead of moving them, so the write-back's
// compare-and-set cannot tell a load that began before the clear: when the other
// node's bus message arrives late (held by a proxy here), its pre-clear value is
// written back into the cleared cache. (With policy.lock the lock check happens to
// refuse it, because clear() also deletes the lock; this uses lock = false.)
TEST(CacheInvalidation, LoadInFlightDuringClearOnOtherNodeIsNotCached) {
  RedisServer server;
  server.start();
  run_coro([&](asio::any_io_executor ex) -> awaitable<void> {
    DelayProxy bus_proxy(ex, server.port());
    Node a(ex, server.url(), test_cache_config(), bus_proxy.url());  // A's bus via the proxy
    Node b(ex, server.url());
    CO_ASSERT_TRUE(co_await a.ready());
    CO_ASSERT_TRUE(co_await b.ready());
    CachePolicy policy = plain_policy();
    policy.lock = false;
    const std::string key = "orders:order:77";
    TestLoader l(ex);
    l.held = true;
    l.value = "before-clear";
    std::optional<Result<CacheValue>> first;
    asio::co_spawn(
        ex,
        [&]() -> awaitable<void> {
          first = co_await a.cache.get_or_set(key, l.loader(), policy);
          l.changed.notify();
        },
        asio::detached);
    CO_ASSERT_TRUE(co_await l.wait_calls(1));
    bus_proxy.set_delay(1000ms);
    CO_ASSERT_TRUE((co_await b.cache.clear()).has_value());
    l.release();
    CO_ASSERT_TRUE(co_await l.changed.wait([&] { return first.has_value(); }, 10s));
    CO_ASSERT_TRUE(first->has_value());
    EXPECT_EQ((*first)->value, "before-clear#1");
    CO_ASSERT_TRUE(co_await wait_until([&] { return bus_proxy.held() > 0; }));
    CO_ASSERT_TRUE(co_await wait_until([&] { return a.cache.l1_size() == 0; }, 5s));  // 'a' arrived
    bus_proxy.set_delay(0ms);
    auto g = co_await b.cache.get(key, policy);
    EXPECT_FALSE(g.has_value()) << "pre-clear value cached: " << g->value.value_or("");
  });
}

TEST(CacheStatsFlush, CountersAreWrittenToRedis) {
  RedisServer server;
  server.start();
  run_coro([&](asio::any_io_executor ex) -> awaitable<void> {
    CacheConfig cfg = test_cache_config();
    cfg.stats_interval = 100ms;
    Node a(ex, server.url(), cfg);
    CO_ASSERT_TRUE(co_await a.ready());
    TestLoader l(ex);
    for (int i = 0; i < 3; ++i)
      CO_ASSERT_TRUE((co_await a.cache.get_or_set("s:k", l.loader(), plain_policy())).has_value());
    std::string stats_key;
    CO_ASSERT_TRUE(co_await wait_until([&] {
      stats_key = server.cli({"--scan", "--pattern", default_layout().all_stats_pattern()});
      return !stats_key.empty() && server.cli({"HGET", stats_key, "l1_hits"}) == "2";
    }));
    EXPECT_EQ(server.cli({"HGET", stats_key, "loads"}), "1");
    const long pttl = std::stol(server.cli({"PTTL", stats_key}));
    EXPECT_GT(pttl, 0);
    EXPECT_LE(pttl, 600);
  });
}

enum class How { key, tag, ns };
struct DuringLoadCase {
  How how;
  bool remote;  ///< the other node invalidates
};

std::string case_name(const DuringLoadCase& c) {
  std::string n = c.how == How::key ? "Remove" : c.how == How::tag ? "Tag" : "Namespace";
  return n + (c.remote ? "FromOtherNode" : "Local");
}

awaitable<void> invalidate(Cache& cache, How how, const std::string& key) {
  switch (how) {
    case How::key:
      ok(co_await cache.remove(key), "remove");
      break;
    case How::tag: {
      const std::vector<std::string> tags{"t"};
      ok(co_await cache.invalidate_tags(tags), "invalidate_tags");
      break;
    }
    case How::ns:
      ok(co_await cache.invalidate_namespace(std::string(CacheKey::namespace_of(key))), "ns");
      break;
  }
}

void PrintTo(const DuringLoadCase& c, std::ostream* os) {
  *os << case_name(c);
}

class InvalidationDuringLoad : public testing::TestWithParam<DuringLoadCase> {};

// A slow load that an invalidation overtakes: its result goes to its caller, is not
// cached (L1 or L2), and the next read loads again.
TEST_P(InvalidationDuringLoad, ResultIsReturnedButNotCached) {
  const DuringLoadCase c = GetParam();
  RedisServer server;
  server.start();
  run_on_two_nodes(server, [&](asio::any_io_executor ex, Node& a, Node& b) -> awaitable<void> {
    const CachePolicy policy = plain_policy({"t"});
    const std::string key = "orders:order:1";

    TestLoader l(ex);
    l.held = true;
    std::optional<Result<CacheValue>> first;
    asio::co_spawn(
        ex,
        [&]() -> awaitable<void> {
          first = co_await a.cache.get_or_set(key, l.loader(), policy);
          l.changed.notify();
        },
        asio::detached);
    CO_ASSERT_TRUE(co_await l.wait_calls(1));
    co_await invalidate(c.remote ? b.cache : a.cache, c.how, key);
    if (c.remote) {
      CO_ASSERT_TRUE(co_await bus_barrier(b, a));  // A has heard it
    }
    l.release();
    CO_ASSERT_TRUE(co_await l.changed.wait([&] { return first.has_value(); }, 10s));
    CO_ASSERT_TRUE(first->has_value()) << first->error().message();
    EXPECT_EQ((*first)->value, "v#1");
    EXPECT_EQ((*first)->source, CacheSource::loader);

    // Nothing from that load is served: not by A, not by B (L2).
    auto g = co_await b.cache.get(key, policy);
    EXPECT_FALSE(g.has_value()) << g->value.value_or("<negative>");
    auto again = co_await a.cache.get_or_set(key, l.loader(), policy);
    CO_ASSERT_TRUE(again.has_value());
    EXPECT_EQ(again->value, "v#2");
    EXPECT_EQ(again->source, CacheSource::loader);
    EXPECT_EQ(l.calls, 2);
    // The second load is cached as usual.
    again = co_await a.cache.get_or_set(key, l.loader(), policy);
    CO_ASSERT_TRUE(again.has_value());
    EXPECT_EQ(again->value, "v#2");
    EXPECT_EQ(l.calls, 2);
  });
}

INSTANTIATE_TEST_SUITE_P(
    All, InvalidationDuringLoad,
    testing::Values(DuringLoadCase{How::key, false}, DuringLoadCase{How::tag, false},
                    DuringLoadCase{How::ns, false}, DuringLoadCase{How::key, true},
                    DuringLoadCase{How::tag, true}, DuringLoadCase{How::ns, true}),
    [](const auto& info) { return case_name(info.param); });

std::ostream& operator<<(std::ostream& os, How h) {
  return os << (h == How::key ? "remove" : h == How::tag ? "tag" : "namespace");
}

class L2ReadOvertakenByInvalidation : public testing::TestWithParam<How> {};

// Node B reads an entry from L2; Redis answers before node A invalidates it, but
// B only processes that answer after the invalidation has reached it over the bus
// (the reply is held by a proxy). B may return the old value to that read (it was
// concurrent with the invalidation), but must not keep it in L1: later reads must
// not see it.
TEST_P(L2ReadOvertakenByInvalidation, OldValueIsNotKeptInL1) {
  const How how = GetParam();
  RedisServer server;
  server.start();
  run_coro([&](asio::any_io_executor ex) -> awaitable<void> {
    DelayProxy proxy(ex, server.port());
    Node a(ex, server.url());
    Node b(ex, proxy.url(), test_cache_config(), server.url());  // bus direct
    CO_ASSERT_TRUE(co_await a.ready());
    CO_ASSERT_TRUE(co_await b.ready());
    const CachePolicy policy = plain_policy({"t"});
    const std::string key = "orders:order:9";
    co_await a.cache.set(key, "old", policy);
    CO_ASSERT_TRUE(co_await bus_barrier(a, b));

    proxy.set_delay(1000ms);
    const int held = proxy.held();
    TestLoader l(ex);
    std::optional<Result<CacheValue>> racing;
    asio::co_spawn(
        ex,
        [&]() -> awaitable<void> {
          racing = co_await b.cache.get_or_set(key, l.loader(), policy);
          l.changed.notify();
        },
        asio::detached);
    CO_ASSERT_TRUE(co_await wait_until([&] { return proxy.held() > held; }));  // Redis answered
    co_await invalidate(a.cache, how, key);
    CO_ASSERT_TRUE(co_await bus_barrier(a, b));  // B has applied the invalidation
    CO_ASSERT_TRUE(co_await l.changed.wait([&] { return racing.has_value(); }, 10s));
    proxy.set_delay(0ms);
    CO_ASSERT_TRUE(racing->has_value());

    auto r = co_await b.cache.get_or_set(key, l.loader(), policy);
    CO_ASSERT_TRUE(r.has_value());
    EXPECT_NE(r->value, "old") << "B serves the invalidated value from "
                               << (r->source == CacheSource::l1 ? "L1" : "L2/loader");
    EXPECT_EQ(r->source, CacheSource::loader);
  });
}

INSTANTIATE_TEST_SUITE_P(All, L2ReadOvertakenByInvalidation,
                         testing::Values(How::key, How::tag, How::ns), [](const auto& info) {
                           return case_name({info.param, true});
                         });

}  // namespace
}  // namespace herald::cache::test
