// The `tag:` channel convention and the `invalidate` frame (invalidation.hpp): the
// exact wire text, escaping, and publications without a tags member.
#include <herald/protocol/invalidation.hpp>

#include <boost/json/parse.hpp>

#include <gtest/gtest.h>

namespace herald::protocol {
namespace {

TEST(Invalidation, TagChannels) {
  EXPECT_EQ(tag_channel("products:7"), "tag:products:7");
  EXPECT_TRUE(is_tag_channel("tag:products"));
  EXPECT_TRUE(is_tag_channel("tag:"));
  EXPECT_FALSE(is_tag_channel("tags:products"));
  EXPECT_FALSE(is_tag_channel("products"));
}

TEST(Invalidation, DataAndFrame) {
  const std::string data = encode_invalidation_data({"products", "products:123", "q\"uote"});
  EXPECT_EQ(data, R"({"tags":["products","products:123","q\"uote"]})");
  EXPECT_NO_THROW((void)boost::json::parse(data));
  auto frame = encode_invalidate_frame("tag:products", 7, "e1", data);
  ASSERT_TRUE(frame.has_value());
  EXPECT_EQ(*frame, R"({"type":"invalidate","channel":"tag:products","offset":7,"epoch":"e1",)"
                    R"("tags":["products","products:123","q\"uote"]})");
  EXPECT_NO_THROW((void)boost::json::parse(*frame));
  EXPECT_EQ(encode_invalidation_data({}), R"({"tags":[]})");
}

TEST(Invalidation, DataWithoutTagsIsNoInvalidateFrame) {
  EXPECT_FALSE(encode_invalidate_frame("tag:x", 1, "e", R"({"other":1})").has_value());
  EXPECT_FALSE(encode_invalidate_frame("tag:x", 1, "e", R"({"nested":{"tags":[]}})").has_value());
}

}  // namespace
}  // namespace herald::protocol
