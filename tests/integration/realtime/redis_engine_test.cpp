// RedisEngine against a real redis-server, several engines in one process standing
// in for nodes. The multi-process acceptance tests are tests/e2e/cluster.test.js;
// these pin down what is hard to provoke from outside: gap fills and loss markers
// on the live feed, recovery while the Pub/Sub connection is being killed, and the
// engine's answers while Redis is down.
#include <herald/realtime/redis_engine.hpp>

#include "support/redis_test_util.hpp"
#include "support/run_coro.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <thread>

namespace herald::realtime {
namespace {

using namespace std::chrono_literals;
using herald::test::RedisServerTest;
using herald::test::run_coro;
namespace asio = boost::asio;

/// Records deliveries per shard (called on the engine thread).
struct RecordingSink : DeliverySink {
  mutable std::mutex mutex;
  std::vector<PublicationPtr> delivered;  // shard 0 only: tests use one shard
  std::vector<std::string> disconnected;
  void deliver(std::size_t, const PublicationPtr& p) override {
    std::lock_guard g(mutex);
    delivered.push_back(p);
  }
  void disconnect_user(const std::string& user) override {
    std::lock_guard g(mutex);
    disconnected.push_back(user);
  }
  std::vector<PublicationPtr> snapshot() const {
    std::lock_guard g(mutex);
    return delivered;
  }
  /// Offsets delivered (a loss marker shows as 0).
  std::vector<std::uint64_t> offsets() const {
    std::vector<std::uint64_t> out;
    for (const auto& p : snapshot())
      out.push_back(p->kind == Publication::Kind::lost ? 0 : p->offset);
    return out;
  }
};

RedisEngineOptions options_for(const std::string& url) {
  RedisEngineOptions o;
  o.redis = herald::test::test_config(url);
  o.ingest = false;
  return o;
}

template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds limit = 10s) {
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

class RedisEngineTest : public RedisServerTest {};

TEST_F(RedisEngineTest, AJumpOnTheFeedIsFilledFromHistory) {
  RecordingSink sink;
  RedisEngine engine(options_for(server_.url()), sink);
  ASSERT_TRUE(eventually([&] { return engine.ready(); }));
  std::string epoch;
  run_coro([&](asio::any_io_executor) -> asio::awaitable<void> {
    auto r = co_await engine.subscribe("g", 0, std::nullopt);
    CO_ASSERT_TRUE(r.has_value());
    epoch = r->position.epoch;
  });
  // Offsets 1 and 2 reach history but not the feed (as if their PUBLISH was lost).
  server_.cli({"HSET", "herald:ch:{g}:meta", "o", "3"});
  server_.cli({"XADD", "herald:ch:{g}:hist", "1-0", "d", "{\"n\":1}"});
  server_.cli({"XADD", "herald:ch:{g}:hist", "2-0", "d", "{\"n\":2}"});
  server_.cli({"XADD", "herald:ch:{g}:hist", "3-0", "d", "{\"n\":3}"});
  server_.cli({"SPUBLISH", "herald:ch:{g}", "3 " + epoch + " {\"n\":3}"});
  ASSERT_TRUE(eventually([&] { return sink.offsets().size() == 3; })) << sink.offsets().size();
  EXPECT_EQ(sink.offsets(), one_to(3));
  EXPECT_EQ(sink.snapshot()[1]->data(), "{\"n\":2}");
  EXPECT_EQ(engine.stats().gaps_filled, 1u);
}

// /metrics on one server: topology single, its address as the primary, no changes.
TEST_F(RedisEngineTest, MetricsShowTheSingleServerTopology) {
  RecordingSink sink;
  RedisEngine engine(options_for(server_.url()), sink);
  const std::string addr = "127.0.0.1:" + std::to_string(server_.port());
  const std::string text = engine.prometheus();
  EXPECT_NE(text.find("herald_engine_redis_topology{kind=\"single\"} 1\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("herald_engine_redis_primary{addr=\"" + addr + "\"} 1\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("herald_engine_redis_topology_changes_total 0\n"), std::string::npos) << text;
  EXPECT_EQ(engine.topology().primaries, std::vector<std::string>{addr});
}

// wait_replicas with no replica: WAIT times out, the publish still succeeds (the
// write stands on the primary) and is counted as short.
TEST_F(RedisEngineTest, WaitReplicasShortOfReplicasStillPublishesAndCounts) {
  RecordingSink sink;
  auto options = options_for(server_.url());
  options.wait_replicas = 1;
  options.wait_replicas_timeout = 50ms;
  RedisEngine engine(std::move(options), sink);
  ASSERT_TRUE(eventually([&] { return engine.ready(); }));
  run_coro([&](asio::any_io_executor) -> asio::awaitable<void> {
    for (int i = 1; i <= 2; ++i) {
      auto r = co_await engine.publish("w", "{\"n\":" + std::to_string(i) + "}");
      CO_ASSERT_TRUE(r.has_value());
      EXPECT_EQ(r->offset, static_cast<std::uint64_t>(i));
    }
  });
  EXPECT_EQ(engine.stats().published, 2u);
  EXPECT_EQ(engine.stats().wait_short, 2u);
  EXPECT_NE(engine.prometheus().find("herald_engine_wait_replicas_short_total 2\n"),
            std::string::npos);
}

TEST_F(RedisEngineTest, AJumpHistoryCannotFillBecomesOneLossMarker) {
  RecordingSink sink;
  RedisEngine engine(options_for(server_.url()), sink);
  ASSERT_TRUE(eventually([&] { return engine.ready(); }));
  std::string epoch;
  run_coro([&](asio::any_io_executor) -> asio::awaitable<void> {
    auto r = co_await engine.subscribe("h", 0, std::nullopt);
    CO_ASSERT_TRUE(r.has_value());
    epoch = r->position.epoch;
  });
  server_.cli({"HSET", "herald:ch:{h}:meta", "o", "5"});
  server_.cli({"SPUBLISH", "herald:ch:{h}", "5 " + epoch + " {}"});
  ASSERT_TRUE(eventually([&] { return sink.offsets().size() == 2; }));
  EXPECT_EQ(sink.offsets(), (std::vector<std::uint64_t>{0, 5}));
  EXPECT_EQ(engine.stats().gaps_lost, 1u);
}

TEST_F(RedisEngineTest, PubSubConnectionKilledRepeatedlyDuringPublishesLosesNothing) {
  RecordingSink sink_a;
  RecordingSink sink_b;
  RedisEngine a(options_for(server_.url()), sink_a);
  RedisEngine b(options_for(server_.url()), sink_b);
  ASSERT_TRUE(eventually([&] { return a.ready() && b.ready(); }));
  constexpr int kCount = 300;
  run_coro([&](asio::any_io_executor ex) -> asio::awaitable<void> {
    auto r = co_await a.subscribe("k", 0, std::nullopt);
    CO_ASSERT_TRUE(r.has_value());
    for (int i = 1; i <= kCount; ++i) {
      if (i % 60 == 0) server_.cli({"CLIENT", "KILL", "TYPE", "pubsub"});
      auto p = co_await b.publish("k", "{\"i\":" + std::to_string(i) + "}");
      if (!p) {  // B's own Pub/Sub was killed too: it may be briefly not ready
        asio::steady_timer t{ex};
        t.expires_after(20ms);
        co_await t.async_wait(asio::use_awaitable);
        --i;
        continue;
      }
    }
  });
  ASSERT_TRUE(eventually([&] {
    auto o = sink_a.offsets();
    return !o.empty() && o.back() == kCount;
  })) << sink_a.offsets().size();
  EXPECT_EQ(sink_a.offsets(), one_to(kCount)) << "in order, exactly once, no loss marker";
}

// publish_batch: the scripts go in one pipelined request; offsets follow the batch
// order per channel, also when Redis forgot the script (NOSCRIPT: EVAL again).
// A publication's event name: in the feed payload (another node's live delivery), in
// the stream entry (history), only when not the default; batches carry it too.
TEST_F(RedisEngineTest, EventNamesTravelThroughFeedAndHistory) {
  RecordingSink sink_a, sink_b;
  RedisEngine a(options_for(server_.url()), sink_a);
  RedisEngine b(options_for(server_.url()), sink_b);
  ASSERT_TRUE(eventually([&] { return a.ready() && b.ready(); }));
  run_coro([&](asio::any_io_executor) -> asio::awaitable<void> {
    CO_ASSERT_TRUE((co_await b.subscribe("ev", 0, std::nullopt)).has_value());
    CO_ASSERT_TRUE((co_await a.publish("ev", R"({"p":1})", "price")).has_value());
    CO_ASSERT_TRUE((co_await a.publish("ev", R"({"p":2})")).has_value());
    std::vector<PublishRequest> batch;
    batch.push_back({"ev", R"({"p":3})", "tick.v2"});
    batch.push_back({"ev", R"({"p":4})", ""});
    auto results = co_await a.publish_batch(std::move(batch));
    CO_ASSERT_EQ(results.size(), 2u);
    CO_ASSERT_TRUE(results[0].has_value() && results[1].has_value());
  });
  const std::vector<std::string> events{"price", "", "tick.v2", ""};
  ASSERT_TRUE(eventually([&] { return sink_b.snapshot().size() == 4; }));
  for (std::size_t i = 0; i < 4; ++i) EXPECT_EQ(sink_b.snapshot()[i]->event, events[i]) << i;
  EXPECT_EQ(sink_b.snapshot()[0]->data(), R"({"p":1})");
  auto entry = server_.cli({"XRANGE", "herald:ch:{ev}:hist", "1-0", "2-0"});
  EXPECT_NE(entry.find("price"), std::string::npos) << entry;
  run_coro([&](asio::any_io_executor) -> asio::awaitable<void> {
    auto h = co_await b.history("ev", std::nullopt, 10);
    CO_ASSERT_TRUE(h.has_value());
    CO_ASSERT_EQ(h->messages.size(), 4u);
    for (std::size_t i = 0; i < 4; ++i) EXPECT_EQ(h->messages[i]->event, events[i]) << i;
    EXPECT_EQ(h->messages[2]->data(), R"({"p":3})");
  });
  b.unsubscribe("ev", 0);
}

TEST_F(RedisEngineTest, PublishBatchKeepsOrderAndSurvivesScriptFlush) {
  RecordingSink sink;
  RedisEngine engine(options_for(server_.url()), sink);
  ASSERT_TRUE(eventually([&] { return engine.ready(); }));
  run_coro([&](asio::any_io_executor) -> asio::awaitable<void> {
    for (int round = 0; round < 2; ++round) {
      if (round == 1) server_.cli({"SCRIPT", "FLUSH"});
      std::vector<PublishRequest> batch;
      for (int i = 1; i <= 6; ++i)
        batch.push_back({i % 2 ? "ba" : "bb", "{\"i\":" + std::to_string(i) + "}"});
      auto results = co_await engine.publish_batch(std::move(batch));
      CO_ASSERT_EQ(results.size(), 6u);
      for (int i = 0; i < 6; ++i) {
        CO_ASSERT_TRUE(results[i].has_value());
        EXPECT_EQ(results[i]->offset, static_cast<std::uint64_t>(round * 3 + i / 2 + 1));
      }
    }
    auto h = co_await engine.history("ba", std::nullopt, 10);
    CO_ASSERT_TRUE(h.has_value());
    CO_ASSERT_EQ(h->messages.size(), 6u);
    EXPECT_EQ(h->messages[0]->data(), "{\"i\":1}");
    EXPECT_EQ(h->messages[2]->data(), "{\"i\":5}");
    EXPECT_EQ(h->messages[5]->data(), "{\"i\":5}");
  });
}

TEST_F(RedisEngineTest, RecoveryReadsExactlyTheMissedRangeAndRefusesOtherEpochs) {
  RecordingSink sink;
  RedisEngine engine(options_for(server_.url()), sink);
  ASSERT_TRUE(eventually([&] { return engine.ready(); }));
  run_coro([&](asio::any_io_executor) -> asio::awaitable<void> {
    std::optional<StreamPosition> at;
    for (int i = 1; i <= 10; ++i) {
      auto p = co_await engine.publish("r", "{\"i\":" + std::to_string(i) + "}");
      CO_ASSERT_TRUE(p.has_value());
      if (i == 4) at = *p;
    }
    auto r = co_await engine.subscribe("r", 0, at);
    CO_ASSERT_TRUE(r.has_value());
    EXPECT_TRUE(r->recovered);
    EXPECT_EQ(r->position.offset, 10u);
    CO_ASSERT_EQ(r->missed.size(), 6u);
    EXPECT_EQ(r->missed.front()->offset, 5u);
    EXPECT_EQ(r->missed.back()->data(), "{\"i\":10}");

    StreamPosition other{4, "not-the-epoch"};
    auto r2 = co_await engine.subscribe("r", 0, other);
    CO_ASSERT_TRUE(r2.has_value());
    EXPECT_FALSE(r2->recovered);
    EXPECT_TRUE(r2->missed.empty());

    auto h = co_await engine.history("r", std::nullopt, 3);
    CO_ASSERT_TRUE(h.has_value());
    CO_ASSERT_EQ(h->messages.size(), 3u);
    EXPECT_EQ(h->messages.front()->offset, 8u);
    EXPECT_EQ(h->messages.back()->offset, 10u);
  });
}

TEST_F(RedisEngineTest, RedisDownMeansUnavailableAndNotReadyThenItComesBack) {
  RecordingSink sink;
  RedisEngine engine(options_for(server_.url()), sink);
  ASSERT_TRUE(eventually([&] { return engine.ready(); }));
  server_.kill9();
  ASSERT_TRUE(eventually([&] { return !engine.ready(); }, 5s));
  run_coro([&](asio::any_io_executor) -> asio::awaitable<void> {
    auto p = co_await engine.publish("d", "{}");
    CO_ASSERT_FALSE(p.has_value());
    EXPECT_EQ(p.error(), EngineError::unavailable);
    auto s = co_await engine.subscribe("d", 0, std::nullopt);
    CO_ASSERT_FALSE(s.has_value());
    EXPECT_EQ(s.error(), EngineError::unavailable);
  });
  server_.restart();
  ASSERT_TRUE(eventually([&] { return engine.ready(); }, 10s));
  run_coro([&](asio::any_io_executor) -> asio::awaitable<void> {
    auto p = co_await engine.publish("d", "{}");
    CO_ASSERT_TRUE(p.has_value());
    EXPECT_EQ(p->offset, 1u);
  });
}

TEST_F(RedisEngineTest, PresenceIsSharedAndADeadNodesEntriesExpire) {
  RecordingSink sink_a;
  RecordingSink sink_b;
  auto opts = options_for(server_.url());
  opts.presence_ttl = 600ms;
  RedisEngine a(opts, sink_a);
  auto b = std::make_unique<RedisEngine>(opts, sink_b);
  ASSERT_TRUE(eventually([&] { return a.ready() && b->ready(); }));
  a.presence_add("p", "conn-a");
  b->presence_add("p", "conn-b1");
  b->presence_add("p", "conn-b2");
  b->presence_add("p", "conn-b2");  // one connection joining twice counts once
  auto count = [&] {
    std::size_t n = 0;
    run_coro([&](asio::any_io_executor) -> asio::awaitable<void> {
      auto r = co_await a.presence_count("p");
      CO_ASSERT_TRUE(r.has_value());
      n = *r;
    });
    return n;
  };
  EXPECT_TRUE(eventually([&] { return count() == 3; }));
  std::this_thread::sleep_for(900ms);  // past the ttl: refreshes keep them alive
  EXPECT_EQ(count(), 3u);
  b.reset();  // a node gone without removing its entries
  EXPECT_TRUE(eventually([&] { return count() == 1; }, 5s));
}

TEST_F(RedisEngineTest, DisconnectReachesTheOtherNodesOnce) {
  RecordingSink sink_a;
  RecordingSink sink_b;
  RedisEngine a(options_for(server_.url()), sink_a);
  RedisEngine b(options_for(server_.url()), sink_b);
  ASSERT_TRUE(eventually([&] { return a.ready() && b.ready(); }));
  run_coro([&](asio::any_io_executor) -> asio::awaitable<void> {
    auto r = co_await a.disconnect_user("alice");
    CO_ASSERT_TRUE(r.has_value());
  });
  ASSERT_TRUE(eventually([&] {
    std::lock_guard g(sink_b.mutex);
    return !sink_b.disconnected.empty();
  }));
  std::this_thread::sleep_for(100ms);
  std::lock_guard ga(sink_a.mutex);
  std::lock_guard gb(sink_b.mutex);
  EXPECT_EQ(sink_a.disconnected, (std::vector<std::string>{"alice"}));
  EXPECT_EQ(sink_b.disconnected, (std::vector<std::string>{"alice"}));
}

}  // namespace
}  // namespace herald::realtime
