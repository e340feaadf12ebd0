// SocketIoRecoveryLog: where each channel's recovery starts from the client's last
// offset, with the log's window, unsubscribes and unknown offsets.
#include "gateway/socketio_recovery_log.hpp"

#include <gtest/gtest.h>

using herald::gateway::SocketIoRecoveryLog;
using herald::realtime::make_publication;
using herald::realtime::StreamPosition;

namespace {
herald::realtime::PublicationPtr pub(const char* channel, std::uint64_t offset) {
  return make_publication(channel, offset, "e", "{}");
}
}  // namespace

TEST(SocketIoRecoveryLog, PositionsUpToTheClientsOffset) {
  SocketIoRecoveryLog log;
  log.subscribed("a", StreamPosition{0, "e"});
  log.subscribed("b", StreamPosition{5, "e"});
  log.sent(pub("a", 1));
  log.sent(pub("b", 6));
  log.sent(pub("a", 2));  // sent after the client's offset: not received
  auto p = log.positions("b:e:6");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->at("a").offset, 1u);
  EXPECT_EQ(p->at("b").offset, 6u);
  auto none = log.positions("");  // nothing received: the subscribe positions
  ASSERT_TRUE(none);
  EXPECT_EQ(none->at("a").offset, 0u);
  EXPECT_EQ(none->at("b").offset, 5u);
}

TEST(SocketIoRecoveryLog, UnknownOrMalformedOffsetsDoNotRecover) {
  SocketIoRecoveryLog log;
  log.subscribed("a", StreamPosition{0, "e"});
  log.sent(pub("a", 1));
  EXPECT_FALSE(log.positions("a:e:9"));
  EXPECT_FALSE(log.positions("a:other:1"));
  EXPECT_FALSE(log.positions("garbage"));
  EXPECT_FALSE(log.positions("a:e:1,b:e:2"));
}

TEST(SocketIoRecoveryLog, EvictedEntriesBecomeTheFloor) {
  SocketIoRecoveryLog log;
  log.subscribed("a", StreamPosition{0, "e"});
  log.subscribed("quiet", StreamPosition{3, "e"});
  for (std::uint64_t i = 1; i <= SocketIoRecoveryLog::capacity + 10; ++i) log.sent(pub("a", i));
  EXPECT_FALSE(log.positions("a:e:5")) << "older than the window";
  EXPECT_FALSE(log.positions("")) << "it may have received evicted ones";
  auto p = log.positions("a:e:20");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->at("a").offset, 20u);
  EXPECT_EQ(p->at("quiet").offset, 3u);
}

TEST(SocketIoRecoveryLog, UnsubscribedChannelsAreNotRecovered) {
  SocketIoRecoveryLog log;
  log.subscribed("a", StreamPosition{0, "e"});
  log.subscribed("b", StreamPosition{0, "e"});
  log.sent(pub("b", 1));
  log.unsubscribed("b");
  auto p = log.positions("b:e:1");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->size(), 1u);
  EXPECT_TRUE(p->contains("a"));
  EXPECT_EQ(SocketIoRecoveryLog::offset_of(*pub("c:d", 7)), "c:d:e:7");
}
