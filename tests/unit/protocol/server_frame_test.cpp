// Server frame encoders: exact wire text, and every frame parses back as JSON.
#include <herald/protocol/server_frame.hpp>

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

namespace herald::protocol {
namespace {

void expect_json(const std::string& s) {
  boost::system::error_code ec;
  boost::json::parse(s, ec);
  EXPECT_FALSE(ec) << s;
}

TEST(ServerFrame, Welcome) {
  auto s = encode_welcome("c1", "", 25);
  EXPECT_EQ(s, R"({"type":"welcome","client":"c1","user":"","ping_interval":25})");
}

TEST(ServerFrame, ReplyAndError) {
  EXPECT_EQ(encode_reply(7, "{}"), R"({"type":"reply","id":7,"result":{}})");
  EXPECT_EQ(encode_error(1, 403, "permission denied"),
            R"({"type":"error","id":1,"code":403,"message":"permission denied"})");
  EXPECT_EQ(encode_error(std::nullopt, 400, "bad \"x\"\n"),
            R"({"type":"error","code":400,"message":"bad \"x\"\n"})");
}

TEST(ServerFrame, SubscribeResult) {
  EXPECT_EQ(encode_subscribe_result("p", {42, "e"}, true),
            R"({"channel":"p","offset":42,"epoch":"e","recovered":true})");
}

TEST(ServerFrame, MessageKeepsDataSlice) {
  auto m = encode_message("products", 42, "e", R"({"a": 1.50})");
  EXPECT_EQ(
      m.text,
      R"({"type":"message","channel":"products","offset":42,"epoch":"e","data":{"a": 1.50}})");
  EXPECT_EQ(m.text.substr(m.data_pos, m.data_size), R"({"a": 1.50})");
  expect_json(m.text);
}

TEST(ServerFrame, HistoryDisconnectInvalidate) {
  std::vector<HistoryEntry> msgs{{1, "1"}, {2, R"({"x":2})"}};
  auto h = encode_history_result(msgs, {2, "e"});
  EXPECT_EQ(
      h,
      R"({"messages":[{"offset":1,"data":1},{"offset":2,"data":{"x":2}}],"offset":2,"epoch":"e"})");
  EXPECT_EQ(encode_history_result({}, {0, "e"}), R"({"messages":[],"offset":0,"epoch":"e"})");
  EXPECT_EQ(encode_disconnect(3001, "shutdown", true),
            R"({"type":"disconnect","code":3001,"reason":"shutdown","reconnect":true})");
}

TEST(ServerFrame, ControlCharactersAreEscaped) {
  std::string s;
  append_json_string(s, std::string("a\x01\t", 3));
  EXPECT_EQ(s, "\"a\\u0001\\t\"");
  expect_json(s);
}

}  // namespace
}  // namespace herald::protocol
