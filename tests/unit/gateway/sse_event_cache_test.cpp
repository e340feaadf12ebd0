// SseEventCache: one encode per publication, whatever the number of subscribers
// asking; a different publication (even with the same content) is encoded anew.
#include "gateway/sse_event_cache.hpp"

#include <gtest/gtest.h>

namespace herald::gateway {
namespace {

TEST(SseEventCache, EncodesEachPublicationOnce) {
  SseEventCache cache;
  int encodes = 0;
  auto encode = [&](const realtime::Publication& p) {
    ++encodes;
    return "data: " + p.frame + "\n\n";
  };
  auto a = realtime::make_publication("c", 1, "e", "1");
  auto first = cache.get(a, encode);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(cache.get(a, encode), first);  // same shared event
  EXPECT_EQ(encodes, 1);
  auto b = realtime::make_publication("c", 1, "e", "1");  // equal content, another publication
  auto second = cache.get(b, encode);
  EXPECT_EQ(encodes, 2);
  EXPECT_NE(second, first);
  EXPECT_EQ(*second, *first);
  EXPECT_EQ(*first, "data: " + a->frame + "\n\n");
}

}  // namespace
}  // namespace herald::gateway
