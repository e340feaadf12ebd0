// The Redis engine's key layout and payload codecs, including malformed payloads.
#include "realtime/core/redis_layout.hpp"

#include <gtest/gtest.h>

namespace herald::realtime::redis_layout {
namespace {

TEST(RedisLayout, AChannelsKeysShareOneHashTag) {
  EXPECT_EQ(meta_key("chat:1"), "herald:ch:{chat:1}:meta");
  EXPECT_EQ(stream_key("chat:1"), "herald:ch:{chat:1}:hist");
  EXPECT_EQ(presence_key("chat:1"), "herald:ch:{chat:1}:pres");
  EXPECT_EQ(feed_channel("chat:1"), "herald:ch:{chat:1}");
}

TEST(RedisLayout, FeedChannelsMapBackToChannels) {
  EXPECT_EQ(channel_of_feed("herald:ch:{a/b.c}"), "a/b.c");
  EXPECT_FALSE(channel_of_feed("herald:ch:{}"));
  EXPECT_FALSE(channel_of_feed("herald:ch:{a}b}"));
  EXPECT_FALSE(channel_of_feed("herald:control"));
  EXPECT_FALSE(channel_of_feed("other:{a}"));
}

TEST(RedisLayout, StreamIdsAreOffsets) {
  EXPECT_EQ(stream_id(42), "42-0");
  EXPECT_EQ(offset_of_stream_id("42-0"), 42u);
  EXPECT_FALSE(offset_of_stream_id("0-0"));
  EXPECT_FALSE(offset_of_stream_id("42-1"));
  EXPECT_FALSE(offset_of_stream_id("1700000000000-0x"));
  EXPECT_FALSE(offset_of_stream_id("-0"));
  EXPECT_FALSE(offset_of_stream_id("42"));
}

TEST(RedisLayout, FeedMessagesRoundTripWithDataUntouched) {
  const std::string data = R"({"a":"x y z","b":[1,2]})";
  const std::string payload = encode_feed(7, "ep0ch", data);  // views point into it
  auto m = decode_feed(payload);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->offset, 7u);
  EXPECT_EQ(m->epoch, "ep0ch");
  EXPECT_EQ(m->data, data);
}

TEST(RedisLayout, FeedMessagesCarryANonDefaultEvent) {
  const std::string data = R"({"a":"@x y"})";
  const std::string payload = encode_feed(7, "ep0ch", data, "price:v1");
  EXPECT_EQ(payload, R"(7 ep0ch @price:v1 {"a":"@x y"})");
  auto m = decode_feed(payload);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->offset, 7u);
  EXPECT_EQ(m->epoch, "ep0ch");
  EXPECT_EQ(m->event, "price:v1");
  EXPECT_EQ(m->data, data);
  // The default keeps the old form, which still reads as before.
  EXPECT_EQ(encode_feed(7, "e", "[1]", ""), "7 e [1]");
  auto old = decode_feed("7 e [1]");
  ASSERT_TRUE(old);
  EXPECT_EQ(old->event, "");
  EXPECT_EQ(old->data, "[1]");
  for (const char* bad : {"7 e @", "7 e @price", "7 e @ {}", "7 e @a/b {}", "7 e @a\tb {}"}) {
    EXPECT_FALSE(decode_feed(bad)) << bad;
  }
  EXPECT_FALSE(decode_feed("7 e @" + std::string(65, 'x') + " {}"));
  EXPECT_TRUE(decode_feed("7 e @" + std::string(64, 'x') + " {}"));
}

TEST(RedisLayout, MalformedFeedMessagesAreRefused) {
  for (const char* bad :
       {"", "7", "7 e", "x e {}", "0 e {}", "-1 e {}", "7  {}", "99999999999999999999999 e {}"}) {
    EXPECT_FALSE(decode_feed(bad)) << bad;
  }
  EXPECT_TRUE(decode_feed("7 e "));  // empty data: a refusal is the JSON check's job
}

TEST(RedisLayout, DisconnectMessages) {
  const std::string payload = encode_disconnect("node1", "alice smith");
  auto m = decode_disconnect(payload);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->origin, "node1");
  EXPECT_EQ(m->user, "alice smith");
  for (const char* bad : {"", "d", "d ", "d node", "d node ", "x node user", "d  user"}) {
    EXPECT_FALSE(decode_disconnect(bad)) << bad;
  }
}

}  // namespace
}  // namespace herald::realtime::redis_layout
