// SubscriptionSet: buffering while a subscribe is pending, dedup by offset, recovered
// messages before live ones, epoch changes.
#include "gateway/subscription_set.hpp"

#include <gtest/gtest.h>

namespace herald::gateway {
namespace {

using realtime::make_publication;

std::vector<std::uint64_t> offsets(const std::vector<realtime::PublicationPtr>& v) {
  std::vector<std::uint64_t> out;
  for (const auto& p : v) out.push_back(p->offset);
  return out;
}

TEST(SubscriptionSet, BuffersWhilePendingAndDeduplicates) {
  SubscriptionSet s;
  ASSERT_TRUE(s.begin("c"));
  EXPECT_FALSE(s.begin("c"));
  // Deliveries racing the subscribe: 4 was queued before registration (<= top),
  // 6 and 7 are live.
  EXPECT_FALSE(s.accept(make_publication("c", 4, "e", "1")));
  EXPECT_FALSE(s.accept(make_publication("c", 6, "e", "1")));
  EXPECT_FALSE(s.accept(make_publication("c", 7, "e", "1")));
  std::vector<realtime::PublicationPtr> missed{make_publication("c", 4, "e", "1"),
                                               make_publication("c", 5, "e", "1")};
  auto out = s.complete("c", {5, "e"}, missed);
  EXPECT_EQ(offsets(out), (std::vector<std::uint64_t>{4, 5, 6, 7}));
  EXPECT_FALSE(s.accept(make_publication("c", 7, "e", "1")));  // duplicate
  EXPECT_TRUE(s.accept(make_publication("c", 8, "e", "1")));
}

TEST(SubscriptionSet, DropsDeliveriesQueuedBeforeTheSubscribe) {
  SubscriptionSet s;
  s.begin("c");
  EXPECT_TRUE(s.complete("c", {10, "e"}, {}).empty());
  EXPECT_FALSE(s.accept(make_publication("c", 10, "e", "1")));
  EXPECT_TRUE(s.accept(make_publication("c", 11, "e", "1")));
}

TEST(SubscriptionSet, NewEpochResetsTheFilter) {
  SubscriptionSet s;
  s.begin("c");
  s.complete("c", {10, "e"}, {});
  EXPECT_TRUE(s.accept(make_publication("c", 1, "f", "1")));
  EXPECT_TRUE(s.accept(make_publication("c", 2, "f", "1")));
}

TEST(SubscriptionSet, UnknownChannelsAreIgnoredAndRemoveWorks) {
  SubscriptionSet s;
  EXPECT_FALSE(s.accept(make_publication("x", 1, "e", "1")));
  s.begin("c");
  EXPECT_TRUE(s.remove("c"));
  EXPECT_FALSE(s.remove("c"));
  EXPECT_EQ(s.size(), 0u);
}

}  // namespace
}  // namespace herald::gateway
