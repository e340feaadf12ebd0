// SSE fallback (protocol.md section 3): events with channel:epoch:offset ids, the
// message frame as data, recovery from Last-Event-ID / ?since=, 400/403 up front.
#include "gateway/sse_session.hpp"
#include "support/test_clients.hpp"

#include <gtest/gtest.h>

namespace herald::test {
namespace {

TEST(Sse, StreamsPublications) {
  TestServer server;
  SseClient sse(server.port(), "/sse?channel=news");
  auto head = sse.read_until("event: subscribe");
  EXPECT_NE(head.find("200 OK"), std::string::npos);
  EXPECT_NE(head.find("text/event-stream"), std::string::npos);
  auto r = http_publish(server.port(), "news", R"({"h":"x"})").json();
  std::string epoch(r.at("epoch").as_string());
  std::string expect =
      "id: news:" + epoch +
      ":1\ndata: {\"type\":\"message\",\"channel\":\"news\",\"offset\":1,\"epoch\":\"" + epoch +
      "\",\"data\":{\"h\":\"x\"}}\n\n";
  EXPECT_NE(sse.read_until(expect).find(expect), std::string::npos) << sse.text();
}

// The event is encoded once per shard and shared: every subscriber still gets each
// publication of its own channels, in order, and nothing of the others.
TEST(Sse, SubscribersShareOneEventPerPublication) {
  TestServer server;
  SseClient a(server.port(), "/sse?channel=s1");
  SseClient b(server.port(), "/sse?channel=s1&channel=s2");
  SseClient c(server.port(), "/sse?channel=s2");
  for (SseClient* client : {&a, &b, &c}) client->read_until("event: subscribe");
  b.read_until("\"channel\":\"s2\"");
  http_publish(server.port(), "s1", "1");
  http_publish(server.port(), "s2", "2");
  http_publish(server.port(), "s1", "3");
  auto event = [](const std::string& channel, int offset) {
    return "\"channel\":\"" + channel + "\",\"offset\":" + std::to_string(offset) + ",\"epoch\"";
  };
  std::string last_a = a.read_until(event("s1", 2));
  std::string last_b = b.read_until(event("s1", 2));
  std::string last_c = c.read_until(event("s2", 1));
  EXPECT_NE(last_a.find(event("s1", 1)), std::string::npos) << last_a;
  EXPECT_EQ(last_a.find("\"channel\":\"s2\",\"offset\""), std::string::npos) << last_a;
  EXPECT_LT(last_b.find(event("s1", 1)), last_b.find(event("s2", 1))) << last_b;
  EXPECT_LT(last_b.find(event("s2", 1)), last_b.find(event("s1", 2))) << last_b;
  EXPECT_EQ(last_c.find("\"channel\":\"s1\",\"offset\""), std::string::npos) << last_c;
}

TEST(Sse, RecoversFromLastEventId) {
  TestServer server;
  auto first = http_publish(server.port(), "a:b", "1").json();
  http_publish(server.port(), "a:b", "2");
  http_publish(server.port(), "a:b", "3");
  std::string epoch(first.at("epoch").as_string());
  SseClient sse(server.port(), "/sse?channel=a:b", {{"Last-Event-ID", "a:b:" + epoch + ":1"}});
  auto text = sse.read_until(":3\n");
  EXPECT_NE(text.find("\"recovered\":true"), std::string::npos) << text;
  auto two = text.find("id: a:b:" + epoch + ":2\n");
  auto three = text.find("id: a:b:" + epoch + ":3\n");
  EXPECT_NE(two, std::string::npos);
  EXPECT_NE(three, std::string::npos);
  EXPECT_LT(two, three);
  EXPECT_EQ(text.find(":1\n"), std::string::npos);  // not replayed
}

TEST(Sse, RejectsBadRequests) {
  TestServer server;
  SseClient none(server.port(), "/sse");
  EXPECT_NE(none.read_until("\r\n").find("400"), std::string::npos);
  SseClient invalid(server.port(), "/sse?channel=a%20b");
  EXPECT_NE(invalid.read_until("\r\n").find("400"), std::string::npos);
  SseClient reserved(server.port(), "/sse?channel=herald:x");
  EXPECT_NE(reserved.read_until("\r\n").find("403"), std::string::npos);
}

TEST(Sse, ShutdownSendsADisconnectEvent) {
  TestServer server;
  SseClient sse(server.port(), "/sse?channel=n");
  sse.read_until("event: subscribe");
  server.server().shutdown();
  auto text = sse.read_until("\n\n", 2000ms);
  text = sse.read_until(R"("reconnect":true})");
  EXPECT_NE(text.find("event: disconnect\ndata: {\"type\":\"disconnect\",\"code\":3001"),
            std::string::npos)
      << text;
}

TEST(Sse, ParsesPositionsFromTheRight) {
  auto p = gateway::parse_sse_positions("a:b:e1:5, c:e2:7,broken,y:e:z,x::1");
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p["x"].epoch, "");  // an empty epoch parses; it just never recovers
  EXPECT_EQ(p["a:b"].epoch, "e1");
  EXPECT_EQ(p["a:b"].offset, 5u);
  EXPECT_EQ(p["c"].offset, 7u);
}

}  // namespace
}  // namespace herald::test
