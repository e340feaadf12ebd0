// MemoryEngine: offsets, epochs, recovery windows, fan-out to shards, presence,
// history, sweep, and ordering under concurrent publishers racing subscribers.
#include <herald/realtime/memory_engine.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <thread>

namespace herald::realtime {
namespace {

using namespace std::chrono_literals;

// Records deliveries per shard, as the gateway's shards would see them (FIFO).
struct RecordingSink : DeliverySink {
  std::mutex mutex;
  std::map<std::size_t, std::vector<PublicationPtr>> by_shard;
  void deliver(std::size_t shard, const PublicationPtr& p) override {
    std::lock_guard g(mutex);
    by_shard[shard].push_back(p);
  }
  std::vector<std::string> disconnected;
  void disconnect_user(const std::string& user) override {
    std::lock_guard g(mutex);
    disconnected.push_back(user);
  }
};

struct FakeClock {
  std::chrono::steady_clock::time_point now = std::chrono::steady_clock::now();
};

class MemoryEngineTest : public ::testing::Test {
 protected:
  MemoryEngine make(std::size_t shards = 2, std::size_t history = 100) {
    MemoryEngineOptions o;
    o.shards = shards;
    o.history_size = [history](std::string_view c) {
      return c.starts_with("nohist") ? 0 : history;
    };
    o.history_ttl = 60s;
    o.clock = [this] { return clock.now; };
    return MemoryEngine(o, sink);
  }
  RecordingSink sink;
  FakeClock clock;
};

TEST_F(MemoryEngineTest, OffsetsAreConsecutiveFromOneWithOneEpoch) {
  auto e = make();
  auto a = e.publish_now("c", "1");
  auto b = e.publish_now("c", "2");
  EXPECT_EQ(a.offset, 1u);
  EXPECT_EQ(b.offset, 2u);
  EXPECT_EQ(a.epoch, b.epoch);
  EXPECT_FALSE(a.epoch.empty());
  EXPECT_EQ(e.publish_now("other", "1").offset, 1u);
}

TEST_F(MemoryEngineTest, DeliversOnlyToShardsWithSubscribers) {
  auto e = make(3);
  e.subscribe_now("c", 1, std::nullopt);
  e.publish_now("c", R"({"x":1})");
  EXPECT_EQ(sink.by_shard.size(), 1u);
  ASSERT_EQ(sink.by_shard[1].size(), 1u);
  EXPECT_EQ(sink.by_shard[1][0]->data(), R"({"x":1})");
  e.unsubscribe("c", 1);
  e.publish_now("c", "2");
  EXPECT_EQ(sink.by_shard[1].size(), 1u);
}

TEST_F(MemoryEngineTest, EventNamesReachDeliveryAndHistory) {
  auto e = make();
  e.subscribe_now("c", 0, std::nullopt);
  auto first = e.publish_now("c", "1", "price");
  e.publish_now("c", "2");
  ASSERT_EQ(sink.by_shard[0].size(), 2u);
  EXPECT_EQ(sink.by_shard[0][0]->event, "price");
  EXPECT_EQ(sink.by_shard[0][1]->event, "");
  EXPECT_EQ(sink.by_shard[0][0]->frame.find("price"), std::string::npos)
      << "the native frame is unchanged";
  auto r = e.subscribe_now("c", 1, StreamPosition{0, first.epoch});
  ASSERT_EQ(r.missed.size(), 2u);
  EXPECT_EQ(r.missed[0]->event, "price");
}

TEST_F(MemoryEngineTest, SubscribeReportsLatestPosition) {
  auto e = make();
  auto r0 = e.subscribe_now("c", 0, std::nullopt);
  EXPECT_EQ(r0.position.offset, 0u);
  EXPECT_FALSE(r0.recovered);
  e.publish_now("c", "1");
  auto r1 = e.subscribe_now("c", 0, std::nullopt);
  EXPECT_EQ(r1.position.offset, 1u);
  EXPECT_EQ(r1.position.epoch, r0.position.epoch);
}

TEST_F(MemoryEngineTest, RecoversEverythingAfterSince) {
  auto e = make();
  auto first = e.publish_now("c", "1");
  for (int i = 2; i <= 5; ++i) e.publish_now("c", std::to_string(i));
  auto r = e.subscribe_now("c", 0, StreamPosition{2, first.epoch});
  EXPECT_TRUE(r.recovered);
  ASSERT_EQ(r.missed.size(), 3u);
  EXPECT_EQ(r.missed[0]->offset, 3u);
  EXPECT_EQ(r.missed[2]->offset, 5u);
  EXPECT_EQ(r.position.offset, 5u);
}

TEST_F(MemoryEngineTest, NotRecoveredWhenHistoryNoLongerCovers) {
  auto e = make(1, 3);
  auto first = e.publish_now("c", "1");
  for (int i = 2; i <= 6; ++i) e.publish_now("c", "0");
  EXPECT_FALSE(e.subscribe_now("c", 0, StreamPosition{1, first.epoch}).recovered);  // 2 evicted
  EXPECT_TRUE(e.subscribe_now("c", 0, StreamPosition{3, first.epoch}).recovered);
  EXPECT_FALSE(e.subscribe_now("c", 0, StreamPosition{3, "other"}).recovered);      // epoch
  EXPECT_FALSE(e.subscribe_now("c", 0, StreamPosition{9, first.epoch}).recovered);  // ahead
  auto same = e.subscribe_now("c", 0, StreamPosition{6, first.epoch});
  EXPECT_TRUE(same.recovered);
  EXPECT_TRUE(same.missed.empty());
}

TEST_F(MemoryEngineTest, TtlExpiryBreaksRecovery) {
  auto e = make();
  auto first = e.publish_now("c", "1");
  e.publish_now("c", "2");
  clock.now += 61s;
  EXPECT_FALSE(e.subscribe_now("c", 0, StreamPosition{1, first.epoch}).recovered);
}

TEST_F(MemoryEngineTest, EpochChangesWhenHistoryIsRecreated) {
  auto e = make();
  auto first = e.publish_now("c", "1");
  EXPECT_EQ(e.sweep(), 0u);  // history still held
  clock.now += 61s;
  EXPECT_EQ(e.sweep(), 1u);
  EXPECT_EQ(e.channel_count(), 0u);
  auto again = e.publish_now("c", "1");
  EXPECT_EQ(again.offset, 1u);
  EXPECT_NE(again.epoch, first.epoch);
}

TEST_F(MemoryEngineTest, SubscribersKeepTheChannelAlive) {
  auto e = make();
  auto sub = e.subscribe_now("c", 0, std::nullopt);
  clock.now += 120s;
  EXPECT_EQ(e.sweep(), 0u);
  EXPECT_EQ(e.publish_now("c", "1").epoch, sub.position.epoch);
}

TEST_F(MemoryEngineTest, HistoryLatestAndSince) {
  auto e = make();
  auto first = e.publish_now("c", "1");
  for (int i = 2; i <= 10; ++i) e.publish_now("c", std::to_string(i));
  auto latest = e.history_now("c", std::nullopt, 3);
  ASSERT_TRUE(latest);
  ASSERT_EQ(latest->messages.size(), 3u);
  EXPECT_EQ(latest->messages[0]->offset, 8u);
  EXPECT_EQ(latest->position.offset, 10u);
  auto since = e.history_now("c", StreamPosition{4, first.epoch}, 2);
  ASSERT_EQ(since->messages.size(), 2u);
  EXPECT_EQ(since->messages[0]->offset, 5u);
  EXPECT_EQ(since->messages[0]->data(), "5");
  auto other_epoch = e.history_now("c", StreamPosition{4, "x"}, 100);
  EXPECT_EQ(other_epoch->messages.size(), 10u);
  auto disabled = e.history_now("nohist", std::nullopt, 10);
  ASSERT_FALSE(disabled);
  EXPECT_EQ(disabled.error(), EngineError::history_disabled);
  EXPECT_EQ(wire_code(disabled.error()), 404);
}

TEST_F(MemoryEngineTest, PresenceCountsConnections) {
  auto e = make();
  e.presence_add("room", "a");
  e.presence_add("room", "b");
  e.presence_add("room", "b");
  EXPECT_EQ(e.presence_count_now("room"), 2u);
  e.presence_remove("room", "b");
  EXPECT_EQ(e.presence_count_now("room"), 2u);  // b joined twice
  e.presence_remove("room", "b");
  e.presence_remove("room", "a");
  EXPECT_EQ(e.presence_count_now("room"), 0u);
  EXPECT_EQ(e.presence_count_now("never"), 0u);
}

// Two publishers race; each shard must see strictly increasing consecutive offsets.
TEST_F(MemoryEngineTest, ConcurrentPublishersAreDeliveredInOrder) {
  auto e = make(2);
  e.subscribe_now("c", 0, std::nullopt);
  e.subscribe_now("c", 1, std::nullopt);
  constexpr int per_thread = 2000;
  std::thread a([&] {
    for (int i = 0; i < per_thread; ++i) e.publish_now("c", "1");
  });
  std::thread b([&] {
    for (int i = 0; i < per_thread; ++i) e.publish_now("c", "2");
  });
  a.join();
  b.join();
  for (std::size_t shard : {0u, 1u}) {
    const auto& got = sink.by_shard[shard];
    ASSERT_EQ(got.size(), 2u * per_thread);
    for (std::size_t i = 0; i < got.size(); ++i) ASSERT_EQ(got[i]->offset, i + 1);
  }
}

// A subscriber that recovers while publishes race must end with every offset exactly
// once: missed (recovered) + deliveries above the returned position.
TEST_F(MemoryEngineTest, RecoveryRacingPublishesIsGapFreeAndDuplicateFree) {
  // Bounded by count (history holds all of it), not by time: the subscribe starts
  // once some publications have landed, whatever the machine's speed.
  constexpr int kPublications = 20000;
  auto e = make(2, 100000);
  auto first = e.publish_now("c", "0");
  std::atomic<int> published{0};
  std::jthread publisher([&] {
    for (int i = 0; i < kPublications; ++i) {
      e.publish_now("c", "1");
      ++published;
    }
  });
  while (published < 100) std::this_thread::yield();
  auto r = e.subscribe_now("c", 1, StreamPosition{first.offset, first.epoch});
  publisher.join();
  ASSERT_TRUE(r.recovered);
  std::vector<std::uint64_t> seen;
  for (const auto& p : r.missed) seen.push_back(p->offset);
  std::lock_guard g(sink.mutex);
  for (const auto& p : sink.by_shard[1]) {
    if (p->offset > r.position.offset) seen.push_back(p->offset);
  }
  ASSERT_EQ(seen.size(), static_cast<std::size_t>(kPublications));
  for (std::size_t i = 0; i < seen.size(); ++i) ASSERT_EQ(seen[i], first.offset + 1 + i);
}

}  // namespace
}  // namespace herald::realtime
