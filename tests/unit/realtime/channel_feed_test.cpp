// ChannelFeed without Redis: ordering, holding until the head is known, gap fills,
// loss markers, epoch changes and the held-backlog bound.
#include "realtime/core/channel_feed.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace herald::realtime {
namespace {

PublicationPtr pub(std::uint64_t offset, const std::string& epoch = "e1") {
  return make_publication("c", offset, epoch, "{\"n\":" + std::to_string(offset) + "}");
}

/// Offsets of a step's output; a loss marker shows as 0.
std::vector<std::uint64_t> offsets(const FeedStep& step) {
  std::vector<std::uint64_t> out;
  for (const auto& p : step.out) out.push_back(p->kind == Publication::Kind::lost ? 0 : p->offset);
  return out;
}

std::vector<PublicationPtr> range(std::uint64_t from, std::uint64_t to,
                                  const std::string& e = "e1") {
  std::vector<PublicationPtr> out;
  for (auto o = from; o <= to; ++o) out.push_back(pub(o, e));
  return out;
}

TEST(ChannelFeed, HoldsLiveMessagesUntilTheHeadIsKnownThenDropsWhatItCovers) {
  ChannelFeed feed("c");
  EXPECT_TRUE(feed.on_live(pub(5)).out.empty());
  EXPECT_TRUE(feed.on_live(pub(6)).out.empty());
  EXPECT_EQ(feed.held(), 2u);
  FeedStep step = feed.on_head(5, "e1", feed.head_read());  // 5 was published before the head read
  EXPECT_EQ(offsets(step), (std::vector<std::uint64_t>{6}));
  EXPECT_FALSE(step.fill);
  EXPECT_EQ(feed.last(), 6u);
}

TEST(ChannelFeed, DeliversInOrderAndDropsDuplicates) {
  ChannelFeed feed("c");
  feed.on_head(0, "e1", feed.head_read());
  EXPECT_EQ(offsets(feed.on_live(pub(1))), (std::vector<std::uint64_t>{1}));
  EXPECT_EQ(offsets(feed.on_live(pub(2))), (std::vector<std::uint64_t>{2}));
  EXPECT_TRUE(feed.on_live(pub(2)).out.empty());
  EXPECT_TRUE(feed.on_live(pub(1)).out.empty());
}

TEST(ChannelFeed, AJumpIsFilledFromHistoryAndLaterMessagesWait) {
  ChannelFeed feed("c");
  feed.on_head(3, "e1", feed.head_read());
  FeedStep jump = feed.on_live(pub(7));
  EXPECT_TRUE(jump.out.empty());
  ASSERT_TRUE(jump.fill);
  EXPECT_EQ(jump.fill->from, 4u);
  EXPECT_EQ(jump.fill->to, 6u);
  EXPECT_TRUE(feed.on_live(pub(8)).out.empty());  // held behind the fill
  FeedStep filled = feed.on_filled(*jump.fill, range(4, 6));
  EXPECT_EQ(offsets(filled), (std::vector<std::uint64_t>{4, 5, 6, 7, 8}));
  EXPECT_FALSE(feed.filling());
}

TEST(ChannelFeed, HistoryThatNoLongerCoversTheGapGivesOneLossMarkerThenResumes) {
  ChannelFeed feed("c");
  feed.on_head(3, "e1", feed.head_read());
  FeedStep jump = feed.on_live(pub(7));
  ASSERT_TRUE(jump.fill);
  FeedStep partial = feed.on_filled(*jump.fill, range(5, 6));  // 4 was trimmed
  EXPECT_EQ(offsets(partial), (std::vector<std::uint64_t>{0, 7}));
  EXPECT_EQ(offsets(feed.on_live(pub(8))), (std::vector<std::uint64_t>{8}));
}

TEST(ChannelFeed, AFailedFillIsALoss) {
  ChannelFeed feed("c");
  feed.on_head(1, "e1", feed.head_read());
  FeedStep jump = feed.on_live(pub(3));
  FeedStep failed = feed.on_filled(*jump.fill, std::nullopt);
  EXPECT_EQ(offsets(failed), (std::vector<std::uint64_t>{0, 3}));
}

TEST(ChannelFeed, AHeadAheadOfTheFeedAfterAReconnectStartsAFill) {
  ChannelFeed feed("c");
  feed.on_head(2, "e1", feed.head_read());
  FeedStep check = feed.on_head(5, "e1", feed.head_read());
  ASSERT_TRUE(check.fill);
  EXPECT_EQ(check.fill->from, 3u);
  EXPECT_EQ(check.fill->to, 5u);
  EXPECT_EQ(offsets(feed.on_filled(*check.fill, range(3, 5))),
            (std::vector<std::uint64_t>{3, 4, 5}));
  EXPECT_FALSE(feed.on_head(5, "e1", feed.head_read()).fill);  // nothing new: no read
}

TEST(ChannelFeed, ANewEpochIsALossThenTheNewOffsetsFlow) {
  ChannelFeed feed("c");
  feed.on_head(9, "e1", feed.head_read());
  EXPECT_EQ(offsets(feed.on_live(pub(1, "e2"))), (std::vector<std::uint64_t>{0, 1}));
  EXPECT_EQ(feed.epoch(), "e2");
  EXPECT_EQ(offsets(feed.on_live(pub(2, "e2"))), (std::vector<std::uint64_t>{2}));
  // The head read after a Redis restart shows the new epoch too.
  ChannelFeed other("c");
  other.on_head(9, "e1", other.head_read());
  EXPECT_EQ(offsets(other.on_head(0, "e3", other.head_read())), (std::vector<std::uint64_t>{0}));
  EXPECT_EQ(other.last(), 0u);
}

TEST(ChannelFeed, AHeadBehindTheFeedMeansRedisLostWritesAndIsALoss) {
  ChannelFeed feed("c");
  feed.on_head(0, "e1", feed.head_read());
  for (std::uint64_t o = 1; o <= 5; ++o) feed.on_live(pub(o));
  EXPECT_EQ(offsets(feed.on_head(3, "e1", feed.head_read())), (std::vector<std::uint64_t>{0}));
  EXPECT_EQ(feed.last(), 3u);
  EXPECT_EQ(offsets(feed.on_live(pub(4))), (std::vector<std::uint64_t>{4}));  // reused offset
}

// The interleaving the optimised build hit after a Pub/Sub reconnect: the head read
// is sent at offset 3, live messages 4..6 arrive on the Pub/Sub socket before the
// read's answer (4) on the command socket. The answer is stale, not a loss.
TEST(ChannelFeed, AHeadReadOvertakenByLiveMessagesIsNotALoss) {
  ChannelFeed feed("c");
  feed.on_head(0, "e1", feed.head_read());
  for (std::uint64_t o = 1; o <= 3; ++o) feed.on_live(pub(o));
  const HeadRead asked = feed.head_read();
  for (std::uint64_t o = 4; o <= 6; ++o) feed.on_live(pub(o));
  FeedStep step = feed.on_head(4, "e1", asked);
  EXPECT_TRUE(step.out.empty());
  EXPECT_FALSE(step.fill);
  EXPECT_EQ(feed.last(), 6u);
  EXPECT_EQ(offsets(feed.on_live(pub(7))), (std::vector<std::uint64_t>{7}));
  // Exactly at what was delivered before the read: still not a loss.
  EXPECT_TRUE(feed.on_head(3, "e1", asked).out.empty());
  // Behind it: Redis lost what it had confirmed before the read.
  EXPECT_EQ(offsets(feed.on_head(2, "e1", asked)), (std::vector<std::uint64_t>{0}));
  EXPECT_EQ(feed.last(), 2u);
}

TEST(ChannelFeed, AHeadReadOfTheEpochTheFeedHasSinceLeftIsStale) {
  ChannelFeed feed("c");
  feed.on_head(5, "e1", feed.head_read());
  const HeadRead asked = feed.head_read();
  EXPECT_EQ(offsets(feed.on_live(pub(1, "e2"))), (std::vector<std::uint64_t>{0, 1}));
  EXPECT_TRUE(feed.on_head(5, "e1", asked).out.empty());  // read before the new epoch
  EXPECT_EQ(feed.epoch(), "e2");
  // A third epoch is a loss whenever the read was sent.
  EXPECT_EQ(offsets(feed.on_head(0, "e3", asked)), (std::vector<std::uint64_t>{0}));
}

TEST(ChannelFeed, FillsFromAnotherEpochAreRefused) {
  ChannelFeed feed("c");
  feed.on_head(1, "e1", feed.head_read());
  FeedStep jump = feed.on_live(pub(3));
  EXPECT_EQ(offsets(feed.on_filled(*jump.fill, range(2, 2, "e9"))),
            (std::vector<std::uint64_t>{0, 3}));
}

TEST(ChannelFeed, ABacklogPastTheBoundIsDroppedAndMarkedLost) {
  ChannelFeed feed("c", 3);
  feed.on_head(1, "e1", feed.head_read());
  FeedStep jump = feed.on_live(pub(3));  // fill pending; 3 held
  feed.on_live(pub(4));
  feed.on_live(pub(5));
  FeedStep over = feed.on_live(pub(6));  // a 4th would exceed the bound
  EXPECT_EQ(offsets(over), (std::vector<std::uint64_t>{0, 6}));
  EXPECT_TRUE(feed.on_filled(*jump.fill, range(2, 2)).out.empty());  // stale answer
  EXPECT_EQ(offsets(feed.on_live(pub(7))), (std::vector<std::uint64_t>{7}));
}

}  // namespace
}  // namespace herald::realtime
