// parse_client_frame(): every client frame of protocol.md section 1, and each way a
// frame can be malformed (400 with a reason naming the field, id echoed when valid).
#include <herald/protocol/client_frame.hpp>

#include <gtest/gtest.h>

namespace herald::protocol {
namespace {

template <typename T>
const T& as(const ParsedFrame& f) {
  EXPECT_TRUE(f.ok()) << f.message;
  return std::get<T>(*f.command);
}

TEST(ClientFrame, Subscribe) {
  auto f = parse_client_frame(R"({"type":"subscribe","channel":"products","id":1})");
  EXPECT_EQ(f.id, 1);
  const auto& s = as<SubscribeFrame>(f);
  EXPECT_EQ(s.channel, "products");
  EXPECT_FALSE(s.since);
}

TEST(ClientFrame, SubscribeWithSince) {
  auto f = parse_client_frame(
      R"({"type":"subscribe","channel":"p","since":{"offset":41,"epoch":"e"},"id":9})");
  const auto& s = as<SubscribeFrame>(f);
  ASSERT_TRUE(s.since);
  EXPECT_EQ(s.since->offset, 41u);
  EXPECT_EQ(s.since->epoch, "e");
}

TEST(ClientFrame, JoinAndLeaveRoomAreAliases) {
  EXPECT_EQ(as<SubscribeFrame>(parse_client_frame(R"({"type":"join_room","room":"admin","id":3})"))
                .channel,
            "admin");
  EXPECT_EQ(
      as<UnsubscribeFrame>(parse_client_frame(R"({"type":"leave_room","room":"admin"})")).channel,
      "admin");
}

TEST(ClientFrame, Unsubscribe) {
  auto f = parse_client_frame(R"({"type":"unsubscribe","channel":"products","id":2})");
  EXPECT_EQ(as<UnsubscribeFrame>(f).channel, "products");
  EXPECT_EQ(f.id, 2);
}

TEST(ClientFrame, PublishKeepsRawData) {
  auto f = parse_client_frame(
      R"({"type":"publish","channel":"chat:1","data": {"x" : 1.50, "s":"a\"b"} ,"id":4})");
  const auto& p = as<PublishFrame>(f);
  EXPECT_EQ(p.channel, "chat:1");
  EXPECT_EQ(p.data, R"({"x" : 1.50, "s":"a\"b"})");
}

TEST(ClientFrame, PublishScalarAndLastDuplicate) {
  EXPECT_EQ(
      as<PublishFrame>(parse_client_frame(R"({"type":"publish","channel":"c","data":12})")).data,
      "12");
  EXPECT_EQ(
      as<PublishFrame>(parse_client_frame(R"({"data":"x","type":"publish","channel":"c"})")).data,
      R"("x")");
  EXPECT_EQ(as<PublishFrame>(
                parse_client_frame(R"({"type":"publish","channel":"c","data":[1,{"a":[]}]})"))
                .data,
            R"([1,{"a":[]}])");
}

TEST(ClientFrame, PublishEscapedKeyFallsBackToSerialisation) {
  auto f = parse_client_frame(R"({"type":"publish","channel":"c","d\u0061ta":{"a":1}})");
  EXPECT_EQ(as<PublishFrame>(f).data, R"({"a":1})");
}

TEST(ClientFrame, PresenceHistoryPingAuth) {
  EXPECT_EQ(as<PresenceFrame>(parse_client_frame(R"({"type":"presence","channel":"admin","id":5})"))
                .channel,
            "admin");
  auto h = as<HistoryFrame>(parse_client_frame(
      R"({"type":"history","channel":"x","since":{"offset":0,"epoch":"e"},"limit":100,"id":6})"));
  EXPECT_EQ(h.channel, "x");
  EXPECT_EQ(h.limit, 100u);
  ASSERT_TRUE(h.since);
  EXPECT_EQ(h.since->epoch, "e");
  EXPECT_EQ(as<HistoryFrame>(parse_client_frame(R"({"type":"history","channel":"x"})")).limit,
            100u);
  EXPECT_EQ(as<HistoryFrame>(parse_client_frame(R"({"type":"history","channel":"x","limit":5000})"))
                .limit,
            1000u);
  auto ping = parse_client_frame(R"({"type":"ping","id":7})");
  EXPECT_TRUE(std::holds_alternative<PingFrame>(*ping.command));
  EXPECT_EQ(as<AuthFrame>(parse_client_frame(R"({"type":"auth","token":"abc"})")).token, "abc");
}

struct Bad {
  const char* text;
  ProtocolError error;
  std::optional<std::int64_t> id;
  const char* message_part;
};

class ClientFrameBad : public ::testing::TestWithParam<Bad> {};

TEST_P(ClientFrameBad, IsRejected) {
  const Bad& b = GetParam();
  auto f = parse_client_frame(b.text);
  ASSERT_FALSE(f.ok());
  EXPECT_FALSE(f.command);
  EXPECT_EQ(*f.error, b.error);
  EXPECT_EQ(f.id, b.id);
  EXPECT_NE(f.message.find(b.message_part), std::string::npos) << f.message;
}

INSTANTIATE_TEST_SUITE_P(
    All, ClientFrameBad,
    ::testing::Values(
        Bad{"", ProtocolError::malformed_json, std::nullopt, "malformed"},
        Bad{"{\"type\":", ProtocolError::malformed_json, std::nullopt, "malformed"},
        Bad{"[1,2]", ProtocolError::not_an_object, std::nullopt, "object"},
        Bad{R"({"type":"ping","id":"7"})", ProtocolError::bad_id, std::nullopt, "id"},
        Bad{R"({"type":"ping","id":1.5})", ProtocolError::bad_id, std::nullopt, "id"},
        Bad{R"({"id":3})", ProtocolError::missing_field, 3, "'type'"},
        Bad{R"({"type":5,"id":3})", ProtocolError::wrong_type, 3, "'type'"},
        Bad{R"({"type":"fly","id":3})", ProtocolError::unknown_type, 3, "'fly'"},
        Bad{R"({"type":"subscribe","id":1})", ProtocolError::missing_field, 1, "'channel'"},
        Bad{R"({"type":"subscribe","channel":7,"id":1})", ProtocolError::wrong_type, 1,
            "'channel'"},
        Bad{R"({"type":"subscribe","channel":"c","since":5})", ProtocolError::wrong_type,
            std::nullopt, "'since'"},
        Bad{R"({"type":"subscribe","channel":"c","since":{"epoch":"e"}})",
            ProtocolError::missing_field, std::nullopt, "'offset'"},
        Bad{R"({"type":"subscribe","channel":"c","since":{"offset":-1}})",
            ProtocolError::wrong_type, std::nullopt, "since.offset"},
        Bad{R"({"type":"subscribe","channel":"c","since":{"offset":1,"epoch":2}})",
            ProtocolError::wrong_type, std::nullopt, "since.epoch"},
        Bad{R"({"type":"join_room","channel":"c"})", ProtocolError::missing_field, std::nullopt,
            "'room'"},
        Bad{R"({"type":"publish","channel":"c","id":4})", ProtocolError::missing_field, 4,
            "'data'"},
        Bad{R"({"type":"history","channel":"c","limit":"x"})", ProtocolError::wrong_type,
            std::nullopt, "'limit'"},
        Bad{R"({"type":"auth"})", ProtocolError::missing_field, std::nullopt, "'token'"}));

TEST(ClientFrame, ErrorCategoryNamesEveryValue) {
  for (int v = 1; v <= 6; ++v) {
    EXPECT_NE(make_error_code(static_cast<ProtocolError>(v)).message(), "unknown protocol error");
  }
  EXPECT_STREQ(protocol_error_category().name(), "herald.protocol");
}

TEST(ClientFrame, CommandNames) {
  EXPECT_EQ(command_name(SubscribeFrame{}), "subscribe");
  EXPECT_EQ(command_name(PingFrame{}), "ping");
}

}  // namespace
}  // namespace herald::protocol
