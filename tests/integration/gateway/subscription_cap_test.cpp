// Per-connection subscription cap (GatewayOptions::max_subscriptions_per_connection)
// over real sockets: a WebSocket subscribe beyond it gets error 400 "too many
// subscriptions" (join_room included) until one is released; an SSE request naming
// more distinct channels than the cap gets HTTP 400.
#include "support/test_clients.hpp"

#include <gtest/gtest.h>

namespace herald::test {
namespace {

gateway::GatewayOptions capped(std::size_t cap) {
  gateway::GatewayOptions o;
  o.max_subscriptions_per_connection = cap;
  return o;
}

std::string subscribe(const std::string& channel, int id, const char* type = "subscribe") {
  return std::string(R"({"type":")") + type + R"(","channel":")" + channel + R"(","id":)" +
         std::to_string(id) + "}";
}

TEST(SubscriptionCap, DefaultIsAThousand) {
  EXPECT_EQ(gateway::GatewayOptions{}.max_subscriptions_per_connection, 1000u);
}

TEST(SubscriptionCap, WebSocketSubscribesBeyondTheCapAre400) {
  TestServer server(capped(3));
  WsClient c(server.port());
  c.next();  // welcome
  for (int i = 1; i <= 3; ++i) {
    c.send(subscribe("c" + std::to_string(i), i));
    EXPECT_EQ(c.next_json().at("type").as_string(), "reply") << i;
  }
  c.send(subscribe("c4", 4));
  auto e = c.next_json();
  EXPECT_EQ(e.at("type").as_string(), "error");
  EXPECT_EQ(e.at("id").as_int64(), 4);
  EXPECT_EQ(e.at("code").as_int64(), 400);
  EXPECT_EQ(e.at("message").as_string(), "too many subscriptions");
  c.send(R"({"type":"join_room","room":"c4","id":5})");
  EXPECT_EQ(c.next_json().at("message").as_string(), "too many subscriptions");
  // At the cap, a channel already held still reads as a duplicate.
  c.send(subscribe("c1", 6));
  EXPECT_EQ(c.next_json().at("message").as_string(), "already subscribed");
  // Releasing one makes room; the refused channel was never subscribed.
  c.send(R"({"type":"unsubscribe","channel":"c1","id":7})");
  EXPECT_EQ(c.next_json().at("id").as_int64(), 7);
  c.send(subscribe("c4", 8));
  auto r = c.next_json();
  EXPECT_EQ(r.at("type").as_string(), "reply");
  EXPECT_EQ(r.at("id").as_int64(), 8);
  EXPECT_EQ(http_publish(server.port(), "c4", "1").status, 200u);
  EXPECT_EQ(c.next_json().at("channel").as_string(), "c4");
}

TEST(SubscriptionCap, CapIsPerConnection) {
  TestServer server(capped(1));
  WsClient a(server.port());
  WsClient b(server.port());
  a.next();
  b.next();
  a.send(subscribe("x", 1));
  b.send(subscribe("x", 1));
  EXPECT_EQ(a.next_json().at("type").as_string(), "reply");
  EXPECT_EQ(b.next_json().at("type").as_string(), "reply");
  a.send(subscribe("y", 2));
  EXPECT_EQ(a.next_json().at("code").as_int64(), 400);
}

TEST(SubscriptionCap, SseRequestsOverTheCapAre400) {
  TestServer server(capped(2));
  SseClient over(server.port(), "/sse?channel=a&channel=b&channel=c");
  auto text = over.read_until("too many subscriptions");
  EXPECT_NE(text.find("400"), std::string::npos) << text;
  EXPECT_NE(text.find("too many subscriptions"), std::string::npos) << text;
  // Repeated names count once.
  SseClient repeated(server.port(), "/sse?channel=a&channel=b&channel=a");
  EXPECT_NE(repeated.read_until("event: subscribe").find("200 OK"), std::string::npos);
}

}  // namespace
}  // namespace herald::test
