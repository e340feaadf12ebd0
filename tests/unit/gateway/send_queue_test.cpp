// SendQueue: byte bound, one oversized frame always accepted, batch taking.
#include "gateway/send_queue.hpp"

#include <gtest/gtest.h>

namespace herald::gateway {
namespace {

OutboundFrame frame(std::size_t n) {
  return {std::make_shared<const std::string>(n, 'x'), {}};
}

TEST(SendQueue, BoundedByBytes) {
  SendQueue q(100);
  EXPECT_TRUE(q.push(frame(60)));
  EXPECT_TRUE(q.push(frame(40)));
  EXPECT_FALSE(q.push(frame(1)));
  EXPECT_EQ(q.bytes(), 100u);
  EXPECT_EQ(q.size(), 2u);
}

TEST(SendQueue, EmptyQueueTakesAnOversizedFrame) {
  SendQueue q(10);
  EXPECT_TRUE(q.push(frame(50)));
  EXPECT_FALSE(q.push(frame(1)));
}

TEST(SendQueue, TakeMovesABatchInOrder) {
  SendQueue q(1000);
  for (std::size_t n = 1; n <= 5; ++n) q.push(frame(n));
  std::vector<OutboundFrame> out;
  q.take(out, 3);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].text->size(), 1u);
  EXPECT_EQ(out[2].text->size(), 3u);
  EXPECT_EQ(q.bytes(), 9u);
  q.clear();
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.bytes(), 0u);
}

TEST(SendQueue, DrainedQueueHoldsNoStorage) {
  SendQueue q(1000);
  for (std::size_t n = 1; n <= 5; ++n) q.push(frame(n));
  std::vector<OutboundFrame> out;
  q.take(out, 2);
  EXPECT_GT(q.capacity(), 0u);  // partly taken: kept
  q.take(out, 10);
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.capacity(), 0u);  // an idle connection's queue holds no memory
  EXPECT_TRUE(q.push(frame(7)));
  EXPECT_EQ(q.bytes(), 7u);
}

TEST(SendQueue, SharesTheFrameInsteadOfCopying) {
  SendQueue a(100), b(100);
  auto shared = std::make_shared<const std::string>("frame");
  a.push({shared, {}});
  b.push({shared, {}});
  EXPECT_EQ(shared.use_count(), 3);
}

}  // namespace
}  // namespace herald::gateway
