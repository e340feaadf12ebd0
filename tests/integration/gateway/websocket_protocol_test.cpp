// WebSocket frames of protocol.md section 1, one row at a time, against a live server.
#include "support/test_clients.hpp"

#include <gtest/gtest.h>

namespace herald::test {
namespace {

namespace json = boost::json;

class WebSocketProtocol : public ::testing::Test {
 protected:
  static gateway::GatewayOptions options() {
    gateway::GatewayOptions o;
    gateway::ChannelRule chat;
    chat.match = "chat:*";
    chat.publish = std::vector<std::string>{"any"};
    o.channels.push_back(chat);
    gateway::ChannelRule nohist;
    nohist.match = "nohist";
    nohist.history_size = 0;
    o.channels.push_back(nohist);
    gateway::ChannelRule burst;
    burst.match = "burst";
    burst.history_size = 400;
    o.channels.push_back(burst);
    return o;
  }
  TestServer server{options()};

  // Connects and consumes the welcome.
  std::unique_ptr<WsClient> client() {
    auto c = std::make_unique<WsClient>(server.port());
    EXPECT_TRUE(c->connected());
    auto w = c->next_json();
    EXPECT_EQ(w.at("type").as_string(), "welcome");
    return c;
  }
};

TEST_F(WebSocketProtocol, WelcomeIsTheFirstFrame) {
  WsClient c(server.port());
  ASSERT_TRUE(c.connected());
  auto w = c.next_json();
  EXPECT_EQ(w.at("type").as_string(), "welcome");
  EXPECT_FALSE(w.at("client").as_string().empty());
  EXPECT_EQ(w.at("user").as_string(), "");
  EXPECT_EQ(w.at("ping_interval").as_int64(), 25);
}

TEST_F(WebSocketProtocol, SubscribeReplyAndLiveMessage) {
  auto c = client();
  c->send(R"({"type":"subscribe","channel":"products","id":1})");
  auto r = c->next_json();
  EXPECT_EQ(r.at("type").as_string(), "reply");
  EXPECT_EQ(r.at("id").as_int64(), 1);
  EXPECT_EQ(r.at("result").at("channel").as_string(), "products");
  EXPECT_EQ(r.at("result").at("offset").as_int64(), 0);
  EXPECT_FALSE(r.at("result").at("recovered").as_bool());
  std::string epoch(r.at("result").at("epoch").as_string());
  ASSERT_EQ(http_publish(server.port(), "products", R"({"price": 1.50})").status, 200u);
  auto m = c->next();
  ASSERT_TRUE(m);
  EXPECT_EQ(*m, R"({"type":"message","channel":"products","offset":1,"epoch":")" + epoch +
                    R"(","data":{"price": 1.50}})");
}

// The server frames data messages itself (WebSocketWriter): every length form of the
// header (7-bit, 16-bit, 64-bit), and a burst longer than one batch, arrive whole and
// in order.
TEST_F(WebSocketProtocol, MessagesOfEveryLengthArriveWholeAndInOrder) {
  auto c = client();
  c->send(R"({"type":"subscribe","channel":"sizes","id":1})");
  c->next();
  std::vector<std::size_t> sizes{1, 60, 200, 60000, 100000, 3};
  for (std::size_t n : sizes) {
    ASSERT_EQ(http_publish(server.port(), "sizes", "\"" + std::string(n, 'x') + "\"").status, 200u);
  }
  for (std::size_t n : sizes) {
    auto m = c->next_json();
    ASSERT_TRUE(m.is_object());
    EXPECT_EQ(m.at("data").as_string().size(), n);
  }
  // More frames than one batch (WebSocketWriter::max_batch) queued by one handler: a
  // subscribe that recovers 300 messages (`c` keeps the channel, and so its epoch).
  c->send(R"({"type":"subscribe","channel":"burst","id":5})");
  EXPECT_EQ(c->next_json().at("id").as_int64(), 5);
  auto b = client();
  b->send(R"({"type":"subscribe","channel":"burst","id":2})");
  std::string epoch(b->next_json().at("result").at("epoch").as_string());
  b->send(R"({"type":"unsubscribe","channel":"burst","id":3})");
  EXPECT_EQ(b->next_json().at("id").as_int64(), 3);
  for (int i = 1; i <= 300; ++i) {
    ASSERT_EQ(http_publish(server.port(), "burst", std::to_string(i)).status, 200u);
  }
  b->send(R"({"type":"subscribe","channel":"burst","id":4,"since":{"offset":0,"epoch":")" + epoch +
          R"("}})");
  EXPECT_EQ(b->next_json().at("id").as_int64(), 4);
  for (int i = 1; i <= 300; ++i) {
    auto m = b->next_json();
    ASSERT_TRUE(m.is_object());
    ASSERT_EQ(m.at("data").as_int64(), i);
  }
}

TEST_F(WebSocketProtocol, UnsubscribeStopsDelivery) {
  auto c = client();
  c->send(R"({"type":"subscribe","channel":"p","id":1})");
  c->next();
  c->send(R"({"type":"unsubscribe","channel":"p","id":2})");
  auto r = c->next_json();
  EXPECT_EQ(r.at("id").as_int64(), 2);
  EXPECT_TRUE(r.at("result").as_object().empty());
  http_publish(server.port(), "p", "1");
  c->send(R"({"type":"ping","id":3})");
  EXPECT_EQ(c->next_json().at("id").as_int64(), 3);  // no message in between
}

TEST_F(WebSocketProtocol, JoinAndLeaveRoomAreAliases) {
  auto c = client();
  c->send(R"({"type":"join_room","room":"admin","id":3})");
  EXPECT_EQ(c->next_json().at("result").at("channel").as_string(), "admin");
  c->send(R"({"type":"leave_room","room":"admin","id":4})");
  EXPECT_EQ(c->next_json().at("id").as_int64(), 4);
}

TEST_F(WebSocketProtocol, ClientPublishFollowsRules) {
  auto c = client();
  c->send(R"({"type":"publish","channel":"news","data":{},"id":4})");
  auto denied = c->next_json();
  EXPECT_EQ(denied.at("type").as_string(), "error");
  EXPECT_EQ(denied.at("code").as_int64(), 403);
  c->send(R"({"type":"subscribe","channel":"chat:1","id":5})");
  c->next();
  c->send(R"({"type":"publish","channel":"chat:1","data":{"t":"hi"},"id":6})");
  // The reply and the message may come in either order; both must come.
  auto a = c->next_json(), b = c->next_json();
  auto& reply = a.at("type").as_string() == "reply" ? a : b;
  auto& message = a.at("type").as_string() == "reply" ? b : a;
  EXPECT_EQ(reply.at("id").as_int64(), 6);
  EXPECT_EQ(reply.at("result").at("offset").as_int64(), 1);
  EXPECT_EQ(message.at("data").at("t").as_string(), "hi");
}

TEST_F(WebSocketProtocol, PresenceCountsSubscribedConnections) {
  auto a = client();
  auto b = client();
  a->send(R"({"type":"subscribe","channel":"admin","id":1})");
  a->next();
  b->send(R"({"type":"subscribe","channel":"admin","id":1})");
  b->next();
  b->send(R"({"type":"presence","channel":"admin","id":5})");
  EXPECT_EQ(b->next_json().at("result").at("count").as_int64(), 2);
  auto http = http_request(server.port(), http::verb::get, "/api/presence/admin");
  EXPECT_EQ(http.json().at("count").as_int64(), 2);
}

TEST_F(WebSocketProtocol, HistoryReply) {
  auto c = client();
  for (int i = 1; i <= 5; ++i) http_publish(server.port(), "x", std::to_string(i));
  c->send(R"({"type":"history","channel":"x","limit":2,"id":6})");
  auto r = c->next_json().at("result");
  ASSERT_EQ(r.at("messages").as_array().size(), 2u);
  EXPECT_EQ(r.at("messages").at(0).at("offset").as_int64(), 4);
  EXPECT_EQ(r.at("offset").as_int64(), 5);
  std::string epoch(r.at("epoch").as_string());
  c->send(R"({"type":"history","channel":"x","since":{"offset":1,"epoch":")" + epoch +
          R"("},"limit":100,"id":7})");
  auto s = c->next_json().at("result");
  ASSERT_EQ(s.at("messages").as_array().size(), 4u);
  EXPECT_EQ(s.at("messages").at(0).at("offset").as_int64(), 2);
  EXPECT_EQ(s.at("messages").at(0).at("data").as_int64(), 2);
  c->send(R"({"type":"history","channel":"nohist","id":8})");
  auto e = c->next_json();
  EXPECT_EQ(e.at("type").as_string(), "error");
  EXPECT_EQ(e.at("code").as_int64(), 404);
}

TEST_F(WebSocketProtocol, PingReplyAndFramesWithoutId) {
  auto c = client();
  c->send(R"({"type":"ping"})");  // no id: no reply
  c->send(R"({"type":"ping","id":7})");
  auto r = c->next_json();
  EXPECT_EQ(r.at("type").as_string(), "reply");
  EXPECT_EQ(r.at("id").as_int64(), 7);
  EXPECT_TRUE(r.at("result").as_object().empty());
}

TEST_F(WebSocketProtocol, BadFramesGet400) {
  auto c = client();
  c->send("{not json");
  auto e1 = c->next_json();
  EXPECT_EQ(e1.at("code").as_int64(), 400);
  EXPECT_FALSE(e1.as_object().contains("id"));
  c->send(R"({"type":"fly","id":9})");
  auto e2 = c->next_json();
  EXPECT_EQ(e2.at("code").as_int64(), 400);
  EXPECT_EQ(e2.at("id").as_int64(), 9);
  c->send(R"({"type":"subscribe","id":10})");
  EXPECT_EQ(c->next_json().at("id").as_int64(), 10);
  c->send(R"({"type":"subscribe","channel":"bad channel!","id":11})");
  auto e4 = c->next_json();
  EXPECT_EQ(e4.at("code").as_int64(), 400);
  EXPECT_EQ(e4.at("message").as_string(), "invalid channel name");
  c->send(R"({"type":"subscribe","channel":"herald:internal","id":12})");
  EXPECT_EQ(c->next_json().at("code").as_int64(), 403);
}

TEST_F(WebSocketProtocol, TagChannelsDeliverInvalidateFrames) {
  auto c = client();
  c->send(R"({"type":"subscribe","channel":"tag:products","id":1})");
  c->next();
  ASSERT_EQ(
      http_publish(server.port(), "tag:products", R"({"tags":["products","products:123"]})").status,
      200u);
  auto f = c->next_json();
  EXPECT_EQ(f.at("type").as_string(), "invalidate");
  EXPECT_EQ(f.at("tags").as_array().size(), 2u);
  EXPECT_EQ(f.at("tags").at(1).as_string(), "products:123");
  EXPECT_EQ(f.at("offset").as_int64(), 1);
}

TEST_F(WebSocketProtocol, DoubleSubscribeIsAnError) {
  auto c = client();
  c->send(R"({"type":"subscribe","channel":"p","id":1})");
  c->next();
  c->send(R"({"type":"subscribe","channel":"p","id":2})");
  auto e = c->next_json();
  EXPECT_EQ(e.at("type").as_string(), "error");
  EXPECT_EQ(e.at("code").as_int64(), 400);
}

}  // namespace
}  // namespace herald::test
