// ChannelHistory: capacity bound, ttl expiry, coverage and slicing by offset.
#include "realtime/channel_history.hpp"

#include <gtest/gtest.h>

namespace herald::realtime {
namespace {

using namespace std::chrono_literals;
using Clock = ChannelHistory::Clock;

std::vector<std::uint64_t> offsets(const std::vector<PublicationPtr>& v) {
  std::vector<std::uint64_t> out;
  for (const auto& p : v) out.push_back(p->offset);
  return out;
}

TEST(ChannelHistory, KeepsTheNewestCapacityEntries) {
  ChannelHistory h(3, 300s);
  auto t = Clock::now();
  for (std::uint64_t i = 1; i <= 5; ++i) h.push(make_publication("c", i, "e", "1"), t);
  EXPECT_EQ(h.size(), 3u);
  EXPECT_EQ(offsets(h.latest(10)), (std::vector<std::uint64_t>{3, 4, 5}));
  EXPECT_EQ(offsets(h.latest(2)), (std::vector<std::uint64_t>{4, 5}));
  EXPECT_EQ(offsets(h.after(3, 10)), (std::vector<std::uint64_t>{4, 5}));
  EXPECT_EQ(offsets(h.after(0, 2)), (std::vector<std::uint64_t>{3, 4}));
  EXPECT_TRUE(h.after(5, 10).empty());
}

TEST(ChannelHistory, Coverage) {
  ChannelHistory h(3, 300s);
  auto t = Clock::now();
  for (std::uint64_t i = 1; i <= 5; ++i) h.push(make_publication("c", i, "e", "1"), t);
  EXPECT_TRUE(h.covers(5, 5));   // nothing missed
  EXPECT_TRUE(h.covers(2, 5));   // 3..5 held
  EXPECT_FALSE(h.covers(1, 5));  // 2 evicted
  EXPECT_FALSE(h.covers(6, 5));  // ahead of the channel
}

TEST(ChannelHistory, ExpiresTtlAfterTheLastPublication) {
  ChannelHistory h(10, 10s);
  auto t = Clock::now();
  h.push(make_publication("c", 1, "e", "1"), t);
  h.push(make_publication("c", 2, "e", "1"), t + 5s);
  h.expire(t + 11s);  // 6 s after the last push: all kept
  EXPECT_EQ(offsets(h.latest(10)), (std::vector<std::uint64_t>{1, 2}));
  EXPECT_TRUE(h.covers(0, 2));
  h.expire(t + 15s);  // 10 s after the last push: gone
  EXPECT_TRUE(h.empty());
}

TEST(ChannelHistory, ZeroCapacityStoresNothing) {
  ChannelHistory h(0, 10s);
  h.push(make_publication("c", 1, "e", "1"), Clock::now());
  EXPECT_TRUE(h.empty());
  EXPECT_TRUE(h.covers(1, 1));
  EXPECT_FALSE(h.covers(0, 1));
}

TEST(Publication, FrameIsEncodedOnceAndDataIsASlice) {
  auto p = make_publication("chat:1", 7, "ep", R"({"a":1})");
  EXPECT_EQ(p->frame,
            R"({"type":"message","channel":"chat:1","offset":7,"epoch":"ep","data":{"a":1}})");
  EXPECT_EQ(p->data(), R"({"a":1})");
  auto f = frame_of(p);
  EXPECT_EQ(f.get(), &p->frame);
}

TEST(Publication, TagChannelsCarryInvalidateFrames) {
  auto p = make_publication("tag:products", 3, "ep", R"({"tags": ["products","products:1"]})");
  EXPECT_EQ(
      p->frame,
      R"({"type":"invalidate","channel":"tag:products","offset":3,"epoch":"ep","tags":["products","products:1"]})");
  EXPECT_EQ(p->data(), R"({"tags": ["products","products:1"]})");
  // Anything else on a tag: channel stays a plain message.
  EXPECT_EQ(make_publication("tag:x", 1, "e", "5")->frame,
            R"({"type":"message","channel":"tag:x","offset":1,"epoch":"e","data":5})");
}

}  // namespace
}  // namespace herald::realtime
