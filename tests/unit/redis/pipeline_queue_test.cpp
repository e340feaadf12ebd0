// PipelineQueue: replies go to requests in send order, multi-command requests get all
// their replies at once, and abandoned (timed-out) requests still consume theirs.
#include "redis/core/pipeline_queue.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace herald::redis {
namespace {

using Queue = PipelineQueue<int>;
using Clock = Queue::Clock;
using std::chrono::milliseconds;

const Clock::time_point kFar = Clock::now() + std::chrono::hours(1);

// Feeds one reply and expects no protocol violation.
std::optional<Queue::Finished> feed(Queue& q, Reply r) {
  bool unexpected = true;
  auto done = q.on_reply(std::move(r), unexpected);
  EXPECT_FALSE(unexpected);
  return done;
}

TEST(PipelineQueue, RepliesCompleteRequestsInOrder) {
  Queue q;
  for (int i = 0; i < 100; ++i) q.push(1, kFar, i);
  EXPECT_EQ(q.size(), 100u);
  for (int i = 0; i < 100; ++i) {
    auto done = feed(q, Reply::make_integer(i * 10));
    ASSERT_TRUE(done);
    EXPECT_EQ(done->handler, i);
    ASSERT_EQ(done->replies.size(), 1u);
    EXPECT_EQ(done->replies[0], Reply::make_integer(i * 10));
  }
  EXPECT_TRUE(q.empty());
}

TEST(PipelineQueue, MultiCommandRequestCompletesOnItsLastReply) {
  Queue q;
  q.push(3, kFar, 1);
  q.push(1, kFar, 2);
  EXPECT_FALSE(feed(q, Reply::make_status("OK")));
  EXPECT_FALSE(feed(q, Reply::make_status("QUEUED")));
  auto first = feed(q, Reply::make_array({Reply::make_integer(1)}));
  ASSERT_TRUE(first);
  EXPECT_EQ(first->handler, 1);
  EXPECT_EQ(first->replies,
            (std::vector<Reply>{Reply::make_status("OK"), Reply::make_status("QUEUED"),
                                Reply::make_array({Reply::make_integer(1)})}));
  auto second = feed(q, Reply::make_string("x"));
  ASSERT_TRUE(second);
  EXPECT_EQ(second->handler, 2);
  EXPECT_EQ(second->replies, std::vector<Reply>{Reply::make_string("x")});
}

TEST(PipelineQueue, ExpiredRequestStillConsumesItsRepliesSoLaterOnesStayAligned) {
  Queue q;
  const auto now = Clock::now();
  q.push(2, now - milliseconds(1), 1);  // already past its deadline
  q.push(1, kFar, 2);
  q.push(1, now + milliseconds(5), 3);
  EXPECT_EQ(q.earliest_deadline(), now - milliseconds(1));

  auto expired = q.expire(now);
  EXPECT_EQ(expired, std::vector<int>{1});
  EXPECT_EQ(q.size(), 3u);  // abandoned, not removed
  EXPECT_EQ(q.earliest_deadline(), now + milliseconds(5));
  EXPECT_TRUE(q.expire(now).empty());  // expiring twice returns nothing new

  // The late replies of request 1 are swallowed, not handed to request 2.
  EXPECT_FALSE(feed(q, Reply::make_string("late-1a")));
  EXPECT_FALSE(feed(q, Reply::make_string("late-1b")));
  EXPECT_EQ(q.size(), 2u);
  auto second = feed(q, Reply::make_string("for-2"));
  ASSERT_TRUE(second);
  EXPECT_EQ(second->handler, 2);
  EXPECT_EQ(second->replies, std::vector<Reply>{Reply::make_string("for-2")});
  auto third = feed(q, Reply::make_string("for-3"));
  ASSERT_TRUE(third);
  EXPECT_EQ(third->handler, 3);
  EXPECT_TRUE(q.empty());
  EXPECT_FALSE(q.earliest_deadline());
}

TEST(PipelineQueue, ExpireMidRequestDropsThePartialReplies) {
  Queue q;
  const auto now = Clock::now();
  q.push(2, now + milliseconds(10), 1);
  q.push(1, kFar, 2);
  EXPECT_FALSE(feed(q, Reply::make_integer(1)));  // half of request 1
  EXPECT_EQ(q.expire(now + milliseconds(10)), std::vector<int>{1});
  EXPECT_FALSE(feed(q, Reply::make_integer(2)));  // its second half: dropped
  auto second = feed(q, Reply::make_integer(3));
  ASSERT_TRUE(second);
  EXPECT_EQ(second->handler, 2);
  EXPECT_EQ(second->replies, std::vector<Reply>{Reply::make_integer(3)});
}

TEST(PipelineQueue, FailAllReturnsOnlyWaitingHandlersAndEmptiesTheQueue) {
  Queue q;
  const auto now = Clock::now();
  q.push(1, now, 1);
  q.push(1, kFar, 2);
  q.push(4, kFar, 3);
  EXPECT_EQ(q.expire(now), std::vector<int>{1});
  EXPECT_FALSE(feed(q, Reply::make_nil()));  // request 1's late reply
  auto failed = q.fail_all();
  EXPECT_EQ(failed, (std::vector<int>{2, 3}));
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.size(), 0u);
  EXPECT_TRUE(q.fail_all().empty());
}

TEST(PipelineQueue, ReplyWithNoRequestIsUnexpected) {
  Queue q;
  bool unexpected = false;
  EXPECT_FALSE(q.on_reply(Reply::make_status("OK"), unexpected));
  EXPECT_TRUE(unexpected);

  q.push(1, kFar, 7);
  auto done = q.on_reply(Reply::make_status("OK"), unexpected);
  EXPECT_FALSE(unexpected);
  ASSERT_TRUE(done);
  EXPECT_FALSE(q.on_reply(Reply::make_status("extra"), unexpected));
  EXPECT_TRUE(unexpected);
}

TEST(PipelineQueue, MoveOnlyHandlers) {
  PipelineQueue<std::unique_ptr<int>> q;
  q.push(1, kFar, std::make_unique<int>(5));
  bool unexpected = false;
  auto done = q.on_reply(Reply::make_integer(1), unexpected);
  ASSERT_TRUE(done);
  EXPECT_EQ(*done->handler, 5);
}

}  // namespace
}  // namespace herald::redis
