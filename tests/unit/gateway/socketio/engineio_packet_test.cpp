// Engine.IO v4 packet codec: every packet type, polling payloads, malformed input.
#include "gateway/socketio/engineio_packet.hpp"

#include <gtest/gtest.h>

using namespace herald::gateway::socketio;

TEST(EngineIoPacket, DecodesEveryType) {
  for (char c = '0'; c <= '6'; ++c) {
    std::string text = std::string(1, c) + "data";  // the packet's data points into it
    auto p = decode_engineio_packet(text);
    ASSERT_TRUE(p.has_value()) << c;
    EXPECT_EQ(static_cast<char>(p->type), c);
    EXPECT_EQ(p->data, "data");
    EXPECT_FALSE(p->binary);
  }
  auto probe = decode_engineio_packet("2probe");
  ASSERT_TRUE(probe);
  EXPECT_EQ(probe->type, EngineIoType::ping);
  EXPECT_EQ(probe->data, "probe");
}

TEST(EngineIoPacket, RefusesMalformed) {
  EXPECT_FALSE(decode_engineio_packet(""));
  EXPECT_FALSE(decode_engineio_packet("7"));
  EXPECT_FALSE(decode_engineio_packet("x42"));
  EXPECT_FALSE(decode_engineio_packet(std::string("\0", 1)));
  EXPECT_FALSE(decode_engineio_packet("\x1e"));
}

TEST(EngineIoPacket, BinaryRecordIsFlagged) {
  auto p = decode_engineio_packet("bAQID");
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->binary);
  EXPECT_EQ(p->type, EngineIoType::message);
}

TEST(EngineIoPayload, SplitsOnTheRecordSeparator) {
  auto packets = decode_engineio_payload(
      "42[\"a\"]\x1e"
      "3\x1e"
      "6",
      10);
  ASSERT_TRUE(packets);
  ASSERT_EQ(packets->size(), 3u);
  EXPECT_EQ((*packets)[0].data, "2[\"a\"]");
  EXPECT_EQ((*packets)[1].type, EngineIoType::pong);
  EXPECT_EQ((*packets)[2].type, EngineIoType::noop);
}

TEST(EngineIoPayload, RefusesEmptyRecordsAndTooManyPackets) {
  EXPECT_FALSE(decode_engineio_payload("", 10));
  EXPECT_FALSE(decode_engineio_payload("4a\x1e", 10));
  EXPECT_FALSE(
      decode_engineio_payload("\x1e"
                              "4a",
                              10));
  EXPECT_FALSE(
      decode_engineio_payload("4a\x1e\x1e"
                              "4b",
                              10));
  EXPECT_FALSE(
      decode_engineio_payload("4a\x1e"
                              "9",
                              10));
  EXPECT_FALSE(
      decode_engineio_payload("6\x1e"
                              "6\x1e"
                              "6",
                              2));
  EXPECT_TRUE(
      decode_engineio_payload("6\x1e"
                              "6",
                              2));
}

TEST(EngineIoOpen, EncodesTheHandshake) {
  EngineIoOpen open;
  open.sid = "ab\"c";
  open.ping_interval_ms = 25000;
  open.ping_timeout_ms = 20000;
  open.max_payload = 65536;
  EXPECT_EQ(
      encode_engineio_open(open),
      R"(0{"sid":"ab\"c","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":65536})");
  open.websocket_upgrade = false;
  EXPECT_NE(encode_engineio_open(open).find(R"("upgrades":[])"), std::string::npos);
}

TEST(EngineIoPayload, AppendJoinsWithTheSeparator) {
  std::string payload;
  append_to_payload(payload, "40");
  append_to_payload(payload, "2");
  EXPECT_EQ(payload,
            "40\x1e"
            "2");
}
