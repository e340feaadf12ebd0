// Protection limits over real sockets: slow-consumer eviction (3008), rate limit
// (429 then close), frame size (1009), ping eviction of silent peers, connection
// cap (503), Origin allow-list (403).
#include "support/test_clients.hpp"

#include <gtest/gtest.h>

namespace herald::test {
namespace {

std::int64_t metric(std::uint16_t port, const std::string& name) {
  auto body = http_request(port, http::verb::get, "/metrics").body;
  auto pos = body.find("\n" + name + " ");
  if (pos == std::string::npos) return -1;
  return std::stoll(body.substr(pos + name.size() + 2));
}

// Polls a metric until it equals `value` (server-side bookkeeping trails the client).
bool metric_becomes(std::uint16_t port, const std::string& name, std::int64_t value,
                    std::chrono::milliseconds timeout = 3000ms) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (metric(port, name) == value) return true;
    std::this_thread::sleep_for(20ms);
  }
  return false;
}

TEST(Protection, SlowConsumerIsDisconnectedWith3008) {
  gateway::GatewayOptions o;
  o.max_send_queue_bytes = 64 * 1024;
  TestServer server(o);
  // A client that subscribes and then stops reading, with a tiny receive buffer.
  asio::io_context ioc;
  websocket::stream<beast::tcp_stream> ws(ioc);
  auto& sock = beast::get_lowest_layer(ws).socket();
  sock.open(asio::ip::tcp::v4());
  sock.set_option(asio::socket_base::receive_buffer_size(4096));
  sock.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), server.port()));
  ws.handshake("127.0.0.1", "/ws");
  beast::flat_buffer buffer;
  ws.read(buffer);  // welcome
  buffer.clear();
  ws.write(asio::buffer(std::string(R"({"type":"subscribe","channel":"firehose","id":1})")));
  ws.read(buffer);  // reply
  buffer.clear();
  std::string big = "\"" + std::string(20000, 'x') + "\"";
  for (int i = 0;
       i < 400 && metric(server.port(), R"(herald_disconnects_total{reason="slow_consumer"})") < 1;
       ++i) {
    http_publish(server.port(), "firehose", big);
  }
  EXPECT_EQ(metric(server.port(), R"(herald_disconnects_total{reason="slow_consumer"})"), 1);
  // Draining now: some messages, then the disconnect frame, then the close.
  std::string last;
  beast::error_code ec;
  int frames = 0;
  while (true) {
    ws.read(buffer, ec);
    if (ec) break;
    last = beast::buffers_to_string(buffer.data());
    buffer.clear();
    ++frames;
  }
  EXPECT_LT(frames, 400);
  EXPECT_EQ(last, R"({"type":"disconnect","code":3008,"reason":"slow consumer","reconnect":true})");
  EXPECT_EQ(ws.reason().code, 3008);
}

TEST(Protection, ReaderThatNeverDrainsIsDroppedAfterTheCloseDeadline) {
  gateway::GatewayOptions o;
  o.max_send_queue_bytes = 64 * 1024;
  TestServer server(o);
  asio::io_context ioc;
  websocket::stream<beast::tcp_stream> ws(ioc);
  auto& sock = beast::get_lowest_layer(ws).socket();
  sock.open(asio::ip::tcp::v4());
  sock.set_option(asio::socket_base::receive_buffer_size(4096));
  sock.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), server.port()));
  ws.handshake("127.0.0.1", "/ws");
  ws.write(asio::buffer(std::string(R"({"type":"subscribe","channel":"stuck","id":1})")));
  beast::flat_buffer frames;
  ws.read(frames);  // welcome
  ws.read(frames);  // the subscribe reply: subscribed; from now on it never reads

  std::string big = "\"" + std::string(20000, 'x') + "\"";
  for (int i = 0;
       i < 400 && metric(server.port(), R"(herald_disconnects_total{reason="slow_consumer"})") < 1;
       ++i) {
    http_publish(server.port(), "stuck", big);
  }
  ASSERT_EQ(metric(server.port(), R"(herald_disconnects_total{reason="slow_consumer"})"), 1);
  // Never reads again: the close handshake cannot finish, the 5 s deadline ends it.
  EXPECT_TRUE(metric_becomes(server.port(), "herald_connections", 0, 8000ms));
}

// A publish over the backpressure limit waits (publish_backpressure_wait), then is
// refused with 503 and Retry-After rather than queued behind a growing backlog.
TEST(Protection, PublishesWaitThenGet503WhileSendQueuesAreFull) {
  gateway::GatewayOptions o;
  o.max_send_queue_bytes = 64 << 20;    // the reader is not dropped in this test
  o.publish_backpressure_bytes = 1024;  // any backlog at all slows publishers
  o.publish_backpressure_wait = 300ms;
  TestServer server(o);
  asio::io_context ioc;
  websocket::stream<beast::tcp_stream> ws(ioc);
  auto& sock = beast::get_lowest_layer(ws).socket();
  sock.open(asio::ip::tcp::v4());
  sock.set_option(asio::socket_base::receive_buffer_size(4096));
  sock.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), server.port()));
  ws.handshake("127.0.0.1", "/ws");
  beast::flat_buffer buffer;
  ws.read(buffer);  // welcome
  ws.write(asio::buffer(std::string(R"({"type":"subscribe","channel":"bp","id":1})")));
  ws.read(buffer);  // reply
  std::string big = "\"" + std::string(20000, 'x') + "\"";
  bool refused = false;
  for (int i = 0; i < 1000 && !refused; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    auto r = http_publish(server.port(), "bp", big);
    ASSERT_TRUE(r.status == 200u || r.status == 503u) << r.status;
    if (r.status == 503u) {
      refused = true;
      EXPECT_GE(std::chrono::steady_clock::now() - t0, 250ms);  // after the wait
      EXPECT_EQ(r.headers["retry-after"], "1");
      EXPECT_EQ(r.json().at("error").at("code").as_int64(), 503);
    }
  }
  EXPECT_TRUE(refused);
  EXPECT_EQ(metric(server.port(), "herald_publish_refused_total"), 1);
  EXPECT_GT(metric(server.port(), "herald_send_queue_bytes"), 1024);
  EXPECT_EQ(metric(server.port(), R"(herald_disconnects_total{reason="slow_consumer"})"), 0);
}

TEST(Protection, RateLimitAnswers429ThenCloses) {
  gateway::GatewayOptions o;
  o.client_rate_limit = 5;  // burst 10
  TestServer server(o);
  WsClient c(server.port());
  c.next();
  for (int i = 1; i <= 40; ++i) c.send(R"({"type":"ping","id":)" + std::to_string(i) + "}");
  int replies = 0, limited = 0;
  while (auto f = c.next(1000ms)) {
    auto v = boost::json::parse(*f);
    if (v.at("type").as_string() == "reply") ++replies;
    if (v.at("type").as_string() == "error" && v.at("code").as_int64() == 429) ++limited;
  }
  EXPECT_GE(replies, 10);
  EXPECT_GE(limited, 1);
  EXPECT_EQ(c.wait_closed(), 1008);
}

TEST(Protection, OversizedFrameClosesWith1009) {
  gateway::GatewayOptions o;
  o.max_message_bytes = 1024;
  TestServer server(o);
  WsClient c(server.port());
  c.next();
  c.send(R"({"type":"ping","pad":")" + std::string(2000, 'x') + "\"}");
  EXPECT_EQ(c.wait_closed(), 1009);
}

TEST(Protection, SilentPeersAreEvictedAndLivelyOnesKept) {
  gateway::GatewayOptions o;
  o.ping_interval = 200ms;
  TestServer server(o);
  WsClient lively(server.port());  // answers pings (Beast does while reading)
  lively.next();
  {
    asio::io_context ioc;
    websocket::stream<beast::tcp_stream> silent(ioc);
    beast::get_lowest_layer(silent).connect(
        asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), server.port()));
    silent.handshake("127.0.0.1", "/ws");
    EXPECT_TRUE(metric_becomes(server.port(), "herald_connections", 2));
    // Never reads, so never answers the pings: gone within 2 x ping_interval.
    EXPECT_TRUE(metric_becomes(server.port(), "herald_connections", 1, 1500ms));
  }
  lively.send(R"({"type":"ping","id":1})");
  EXPECT_EQ(lively.next_of_type("reply").at("id").as_int64(), 1);
}

TEST(Protection, ConnectionCapAnswers503) {
  gateway::GatewayOptions o;
  o.max_connections = 1;
  TestServer server(o);
  WsClient first(server.port());
  EXPECT_TRUE(first.connected());
  WsClient second(server.port());
  EXPECT_FALSE(second.connected());
  EXPECT_EQ(second.status(), 503u);
}

TEST(Protection, SameOriginByDefault) {
  TestServer server;
  WsClient none(server.port());
  EXPECT_TRUE(none.connected());
  WsClient same(server.port(), "/ws",
                {{"Origin", "http://127.0.0.1:" + std::to_string(server.port())}});
  EXPECT_TRUE(same.connected());
  WsClient evil(server.port(), "/ws", {{"Origin", "http://evil.example"}});
  EXPECT_FALSE(evil.connected());
  EXPECT_EQ(evil.status(), 403u);
}

TEST(Protection, OriginAllowList) {
  gateway::GatewayOptions o;
  o.allowed_origins = {"https://app.example"};
  TestServer server(o);
  WsClient ok(server.port(), "/ws", {{"Origin", "https://app.example"}});
  EXPECT_TRUE(ok.connected());
  WsClient other(server.port(), "/ws", {{"Origin", "https://other.example"}});
  EXPECT_EQ(other.status(), 403u);
}

}  // namespace
}  // namespace herald::test
