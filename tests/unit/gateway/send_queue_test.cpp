// SendQueue: byte bound, one oversized frame always accepted, batch taking, its share
// of the queued-bytes gauge (in-flight bytes, stalled queues).
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

TEST(SendQueue, StalledQueueLeavesTheGaugeUntilItMovesAgain) {
  using namespace std::chrono_literals;
  std::atomic<std::int64_t> gauge{0};
  SendQueue q(1000, &gauge);
  auto t0 = std::chrono::steady_clock::now();
  OutboundFrame f{std::make_shared<const std::string>(100, 'x'), t0};
  q.push(f);
  q.push(f);
  EXPECT_EQ(gauge.load(), 200);
  // Not stalled yet: the clock started with the first frame (its published_at).
  EXPECT_FALSE(q.exclude_if_stalled(t0 + 100ms, 500ms));
  EXPECT_EQ(gauge.load(), 200);
  EXPECT_TRUE(q.exclude_if_stalled(t0 + 600ms, 500ms));
  EXPECT_FALSE(q.counted());
  EXPECT_EQ(gauge.load(), 0);
  EXPECT_FALSE(q.exclude_if_stalled(t0 + 700ms, 500ms));  // once
  q.push(f);  // frames queued meanwhile are not counted either
  EXPECT_EQ(gauge.load(), 0);
  EXPECT_EQ(q.bytes(), 300u);
  // The reader moves again: back in the gauge, exactly (the frame taken counts until
  // it is written).
  std::vector<OutboundFrame> out;
  q.take(out, 1);
  EXPECT_TRUE(q.counted());
  EXPECT_EQ(gauge.load(), 300);
  q.release_taken();
  EXPECT_EQ(gauge.load(), 200);
  q.clear();
  EXPECT_EQ(gauge.load(), 0);
  // An empty queue is never stalled; clear() while excluded keeps the gauge exact.
  EXPECT_FALSE(q.exclude_if_stalled(t0 + 1h, 500ms));
  q.push(f);
  EXPECT_TRUE(q.exclude_if_stalled(t0 + 1h, 500ms));
  q.clear();
  EXPECT_EQ(gauge.load(), 0);
  q.push(f);
  EXPECT_EQ(gauge.load(), 100);
}

// A batch being written to a slow socket is backlog too: it stays in the gauge until
// the writer releases it, and while the socket keeps taking parts of it the queue is
// moving, however long the whole write takes (issue 14: a slow reader's queue looked
// stalled after 0.5 s of one write and left the publish backpressure total).
TEST(SendQueue, TakenBytesCountUntilReleasedAndProgressKeepsThemCounted) {
  using namespace std::chrono_literals;
  std::atomic<std::int64_t> gauge{0};
  SendQueue q(1000, &gauge);
  auto t0 = std::chrono::steady_clock::now();
  OutboundFrame f{std::make_shared<const std::string>(100, 'x'), t0};
  q.push(f);
  q.push(f);
  std::vector<OutboundFrame> out;
  q.take(out, 10);  // at some t1 >= t0
  auto t1 = std::chrono::steady_clock::now();
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.bytes(), 0u);  // the per-connection limit sees only what is queued
  EXPECT_EQ(q.in_flight(), 200u);
  EXPECT_EQ(gauge.load(), 200);
  q.push(f);  // queued behind the write: the clock is the write's
  EXPECT_EQ(gauge.load(), 300);
  // The socket keeps taking parts of the write: never stalled.
  for (int i = 1; i <= 10; ++i) {
    q.progressed(t1 + i * 400ms);
    EXPECT_FALSE(q.exclude_if_stalled(t1 + i * 400ms + 300ms, 500ms));
  }
  EXPECT_EQ(gauge.load(), 300);
  // It stops taking them: stalled, queued and in-flight bytes leave the gauge...
  EXPECT_TRUE(q.exclude_if_stalled(t1 + 4400ms + 500ms, 500ms));
  EXPECT_EQ(gauge.load(), 0);
  // ... and come back, exactly, when it moves again.
  q.progressed(t1 + 5s);
  EXPECT_TRUE(q.counted());
  EXPECT_EQ(gauge.load(), 300);
  q.release_taken();
  EXPECT_EQ(q.in_flight(), 0u);
  EXPECT_EQ(gauge.load(), 100);
  // A write still in flight with nothing queued is not idle either.
  q.take(out, 10);
  EXPECT_TRUE(q.exclude_if_stalled(std::chrono::steady_clock::now() + 1h, 500ms));
  EXPECT_EQ(gauge.load(), 0);
  // clear() with a write in flight (a slow consumer dropped) keeps the gauge exact.
  q.progressed(std::chrono::steady_clock::now());
  EXPECT_EQ(gauge.load(), 100);
  q.clear();
  EXPECT_EQ(gauge.load(), 0);
  q.release_taken();  // the writer's batch ends after the clear
  EXPECT_EQ(gauge.load(), 0);
}

// Bytes written but not read by the peer (sample_downstream's estimate) count in the
// gauge like queued ones; a lower estimate means the peer read (the queue moves); a
// peer that reads nothing leaves the gauge like a stalled queue; clear() takes them out.
TEST(SendQueue, DownstreamBytesCountAndTheirDecreaseIsProgress) {
  using namespace std::chrono_literals;
  std::atomic<std::int64_t> gauge{0};
  SendQueue q(1000, &gauge);
  auto t0 = std::chrono::steady_clock::now();
  q.set_downstream(5000, t0);
  EXPECT_EQ(q.downstream(), 5000u);
  EXPECT_EQ(gauge.load(), 5000);
  ASSERT_TRUE(q.push(frame(100)));
  EXPECT_EQ(gauge.load(), 5100);
  // The estimate grows: no progress; it shrinks: the peer read, the queue moved.
  q.set_downstream(6000, t0 + 400ms);
  EXPECT_EQ(gauge.load(), 6100);
  EXPECT_FALSE(q.exclude_if_stalled(t0 + 400ms, 500ms));
  q.set_downstream(3000, t0 + 450ms);
  EXPECT_EQ(gauge.load(), 3100);
  EXPECT_FALSE(q.exclude_if_stalled(t0 + 900ms, 500ms));
  // Nothing moves for longer than the stall: all of it leaves the gauge, and comes
  // back exactly when the peer reads again.
  EXPECT_TRUE(q.exclude_if_stalled(t0 + 1000ms, 500ms));
  EXPECT_EQ(gauge.load(), 0);
  q.set_downstream(2000, t0 + 1100ms);
  EXPECT_TRUE(q.counted());
  EXPECT_EQ(gauge.load(), 2100);
  // Only downstream bytes left (queue empty, nothing in flight): still a backlog that
  // can stall.
  std::vector<OutboundFrame> out;
  q.take(out, 10);
  q.release_taken();
  EXPECT_EQ(gauge.load(), 2000);
  EXPECT_TRUE(q.exclude_if_stalled(std::chrono::steady_clock::now() + 1h, 500ms));
  EXPECT_EQ(gauge.load(), 0);
  q.set_downstream(1000, std::chrono::steady_clock::now());
  EXPECT_EQ(gauge.load(), 1000);
  q.clear();
  EXPECT_EQ(q.downstream(), 0u);
  EXPECT_EQ(gauge.load(), 0);
}

TEST(SendQueue, LimitCanChange) {
  SendQueue q(10);
  q.set_limit(100);
  EXPECT_TRUE(q.push(frame(60)));
  EXPECT_TRUE(q.push(frame(40)));
  EXPECT_FALSE(q.push(frame(1)));
  EXPECT_EQ(q.limit(), 100u);
}

}  // namespace
}  // namespace herald::gateway
