// Socket.IO v5 packet codec: the packet grammar, the payload checks per type
// (socket.io-parser's), malformed input, and the encoders.
#include "gateway/socketio/socketio_packet.hpp"

#include <gtest/gtest.h>

using namespace herald::gateway::socketio;

namespace {
SocketIoPacket ok(std::string_view text) {
  SocketIoDecoded d = decode_socketio_packet(text);
  EXPECT_TRUE(d.packet.has_value()) << text << ": " << d.error;
  return d.packet.value_or(SocketIoPacket{});
}
void refused(std::string_view text) {
  SocketIoDecoded d = decode_socketio_packet(text);
  EXPECT_FALSE(d.packet.has_value()) << text;
  EXPECT_FALSE(d.error.empty()) << text;
}
}  // namespace

TEST(SocketIoPacket, Connect) {
  SocketIoPacket p = ok("0");
  EXPECT_EQ(p.type, SocketIoType::connect);
  EXPECT_EQ(p.nsp, "/");
  EXPECT_TRUE(p.data.is_null());
  p = ok(R"(0{"token":"abc"})");
  EXPECT_EQ(p.data.at("token").as_string(), "abc");
  p = ok(R"(0/admin,{"token":"abc"})");
  EXPECT_EQ(p.nsp, "/admin");
  p = ok("0/admin,");
  EXPECT_EQ(p.nsp, "/admin");
  refused("0[]");
  refused("0\"x\"");
}

TEST(SocketIoPacket, EventWithAndWithoutAckId) {
  SocketIoPacket p = ok(R"(2["join_room",{"room":"r"}])");
  EXPECT_EQ(p.type, SocketIoType::event);
  EXPECT_FALSE(p.id.has_value());
  EXPECT_EQ(p.data.as_array().size(), 2u);
  p = ok(R"(217["join_room",{"room":"r"}])");
  ASSERT_TRUE(p.id.has_value());
  EXPECT_EQ(*p.id, 17u);
  p = ok(R"(2/chat,3["x"])");
  EXPECT_EQ(p.nsp, "/chat");
  EXPECT_EQ(*p.id, 3u);
  refused("2");
  refused("2[]");
  refused("2[1]");
  refused("2{}");
  refused("2[\"a\"");
  refused("299999999999999999999[\"a\"]");
}

TEST(SocketIoPacket, AckDisconnectConnectError) {
  SocketIoPacket p = ok("35[]");
  EXPECT_EQ(p.type, SocketIoType::ack);
  EXPECT_EQ(*p.id, 5u);
  refused("3[]");
  refused("35{}");
  EXPECT_EQ(ok("1").type, SocketIoType::disconnect);
  refused("1{}");
  EXPECT_EQ(ok(R"(4{"message":"x"})").type, SocketIoType::connect_error);
  refused("4");
}

TEST(SocketIoPacket, BinaryPacketsDecodeForTheCallerToRefuse) {
  SocketIoPacket p = ok(R"(51-["up",{"_placeholder":true,"num":0}])");
  EXPECT_EQ(p.type, SocketIoType::binary_event);
  EXPECT_EQ(p.attachments, 1u);
  refused(R"(5["up"])");
  refused(R"(5x-["up"])");
  refused("51");
}

TEST(SocketIoPacket, RefusesGarbage) {
  refused("");
  refused("7");
  refused("a");
  refused("2[\"a\"]trailing");
  refused(std::string("2[\"a\0\"]", 7));
  refused("2" + std::string(100000, '['));
}

TEST(SocketIoPacket, Encoders) {
  EXPECT_EQ(encode_connect_frame("s1", ""), R"(40{"sid":"s1"})");
  EXPECT_EQ(encode_connect_frame("s1", "p"), R"(40{"sid":"s1","pid":"p"})");
  EXPECT_EQ(encode_connect_error_frame("/", "no"), R"(44{"message":"no"})");
  EXPECT_EQ(encode_connect_error_frame("/a", "no"), R"(44/a,{"message":"no"})");
  EXPECT_EQ(encode_disconnect_frame(), "41");
  EXPECT_EQ(encode_event_frame("message", R"({"a":1})"), R"(42["message",{"a":1}])");
  EXPECT_EQ(encode_event_frame("m\"", "1", "c:e:3"), R"(42["m\"",1,"c:e:3"])");
  EXPECT_EQ(encode_ack_frame(12, R"({"ok":true})"), R"(4312[{"ok":true}])");
  // What the server encodes, the decoder reads back (without the Engine.IO '4').
  SocketIoPacket back = ok(encode_event_frame("message", "[1,2]").substr(1));
  EXPECT_EQ(back.data.as_array().size(), 2u);
}
