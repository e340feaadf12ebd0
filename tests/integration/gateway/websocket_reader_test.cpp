// The WebSocket reader over real sockets: an idle connection waits for one byte of
// payload and reads the rest only then, so every way a message can arrive must still
// make one command, in order: fragmented messages, messages far larger than one read,
// several frames in one TCP segment, empty frames, control frames in between. And
// no compression is negotiated (the stream is built without permessage-deflate).
#include "support/test_clients.hpp"

#include <gtest/gtest.h>

namespace herald::test {
namespace {

// A blocking client that can write frames and raw bytes.
struct RawClient {
  asio::io_context ioc;
  websocket::stream<beast::tcp_stream> ws{ioc};
  beast::flat_buffer buffer;

  explicit RawClient(std::uint16_t port) {
    beast::get_lowest_layer(ws).connect(
        asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    ws.handshake("127.0.0.1", "/ws");
    EXPECT_EQ(json().at("type").as_string(), "welcome");
  }
  boost::json::value json() {
    buffer.clear();
    ws.read(buffer);
    return boost::json::parse(beast::buffers_to_string(buffer.data()));
  }
  // Writes bytes under the WebSocket layer: frames the test encoded itself.
  void raw(const std::string& bytes) {
    asio::write(beast::get_lowest_layer(ws).socket(), asio::buffer(bytes));
  }
};

// A masked client text frame (RFC 6455 section 5.2), payload under 64 KiB.
std::string client_frame(std::string_view payload, bool fin = true, std::uint8_t opcode = 1) {
  std::string f;
  f += static_cast<char>((fin ? 0x80 : 0x00) | opcode);
  if (payload.size() < 126) {
    f += static_cast<char>(0x80 | payload.size());
  } else {
    f += static_cast<char>(0x80 | 126);
    f += static_cast<char>(payload.size() >> 8);
    f += static_cast<char>(payload.size() & 0xff);
  }
  const char mask[4] = {0x12, 0x34, 0x56, 0x78};
  f.append(mask, 4);
  for (std::size_t i = 0; i < payload.size(); ++i) f += static_cast<char>(payload[i] ^ mask[i % 4]);
  return f;
}

std::string ping(int id, std::size_t pad = 0) {
  return R"({"type":"ping","id":)" + std::to_string(id) + R"(,"pad":")" + std::string(pad, 'x') +
         "\"}";
}

TEST(WebSocketReader, FragmentedMessageIsOneCommand) {
  TestServer server;
  RawClient c(server.port());
  std::string text = ping(1, 3000);
  c.ws.write_some(false, asio::buffer(text.substr(0, 1)));
  c.ws.write_some(false, asio::buffer(text.substr(1, 2000)));
  c.ws.write_some(true, asio::buffer(text.substr(2001)));
  EXPECT_EQ(c.json().at("id").as_int64(), 1);
}

TEST(WebSocketReader, LargeMessagesSpanManyReads) {
  TestServer server;
  RawClient c(server.port());
  for (int id = 1; id <= 3; ++id) {
    c.ws.write(asio::buffer(ping(id, 60000)));
    EXPECT_EQ(c.json().at("id").as_int64(), id);
  }
}

TEST(WebSocketReader, FramesSharingASegmentAreEachHandledInOrder) {
  TestServer server;
  RawClient c(server.port());
  std::string bytes;
  for (int id = 1; id <= 20; ++id) bytes += client_frame(ping(id, id * 7));
  bytes += client_frame(ping(21, 1500));  // straddles Beast's 1536-byte read
  c.raw(bytes);
  for (int id = 1; id <= 21; ++id) EXPECT_EQ(c.json().at("id").as_int64(), id);
}

TEST(WebSocketReader, EmptyFramesAndControlFramesInBetween) {
  TestServer server;
  RawClient c(server.port());
  std::string bytes = client_frame("");                // an empty message: not JSON
  bytes += client_frame("", true, 0x9);                // a ping control frame
  bytes += client_frame(R"({"type":"pi)", false);      // a message in two frames,
  bytes += client_frame("", false, 0x0);               // an empty continuation,
  bytes += client_frame("", true, 0xA);                // an unsolicited pong in between,
  bytes += client_frame(R"(ng","id":2})", true, 0x0);  // and its last frame
  c.raw(bytes);
  auto e = c.json();
  EXPECT_EQ(e.at("type").as_string(), "error");
  EXPECT_EQ(e.at("code").as_int64(), 400);
  EXPECT_EQ(c.json().at("id").as_int64(), 2);
  // One byte of payload is a whole message too.
  c.raw(client_frame("1"));
  EXPECT_EQ(c.json().at("code").as_int64(), 400);
  c.ws.write(asio::buffer(ping(3)));
  EXPECT_EQ(c.json().at("id").as_int64(), 3);
}

TEST(WebSocketReader, BinaryFramesStillGet400) {
  TestServer server;
  RawClient c(server.port());
  c.ws.binary(true);
  c.ws.write(asio::buffer(ping(1)));
  auto e = c.json();
  EXPECT_EQ(e.at("code").as_int64(), 400);
  EXPECT_EQ(e.at("message").as_string(), "binary frames are not supported");
}

TEST(WebSocketReader, PermessageDeflateIsNotNegotiated) {
  TestServer server;
  asio::io_context ioc;
  websocket::stream<beast::tcp_stream> ws(ioc);
  websocket::permessage_deflate offer;
  offer.client_enable = true;
  ws.set_option(offer);
  beast::get_lowest_layer(ws).connect(
      asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), server.port()));
  websocket::response_type res;
  ws.handshake(res, "127.0.0.1", "/ws");
  EXPECT_EQ(res[http::field::sec_websocket_extensions], "");
  ws.write(asio::buffer(ping(1, 500)));  // uncompressed both ways
  beast::flat_buffer buffer;
  ws.read(buffer);  // welcome
  buffer.clear();
  ws.read(buffer);
  EXPECT_EQ(boost::json::parse(beast::buffers_to_string(buffer.data())).at("id").as_int64(), 1);
}

}  // namespace
}  // namespace herald::test
