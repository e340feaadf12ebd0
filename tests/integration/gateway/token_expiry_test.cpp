// Token expiry on open connections, over real sockets: at the JWT's exp a WebSocket
// gets `disconnect` 4001 "token expired" (reconnect:false) and close code 4001, and an
// SSE stream gets the same disconnect event; an `auth` frame after welcome refreshes
// the token (same user only) and keeps the connection past the old exp.
#include "support/test_clients.hpp"
#include "unit/gateway/access/test_tokens.hpp"

#include <gtest/gtest.h>

namespace herald::test {
namespace {

constexpr const char* secret = "expiry-secret";

// A token for `sub` expiring `ttl` seconds from now (exp has one-second resolution,
// so it expires between ttl - 1 and ttl seconds from now).
std::string token(const std::string& sub, std::int64_t ttl) {
  auto exp = std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count() +
             ttl;
  std::string payload = R"({"sub":")" + sub + R"(","exp":)" + std::to_string(exp) + "}";
  return hs256_token(R"({"alg":"HS256","typ":"JWT"})", payload, secret);
}

gateway::GatewayOptions options() {
  gateway::GatewayOptions o;
  o.jwt_secret = secret;
  o.auth_timeout = 1000ms;
  return o;
}

void expect_token_expired(WsClient& c) {
  auto d = c.next_of_type("disconnect", 4000ms);
  ASSERT_TRUE(d.is_object()) << "no disconnect frame";
  EXPECT_EQ(d.at("code").as_int64(), 4001);
  EXPECT_EQ(d.at("reason").as_string(), "token expired");
  EXPECT_FALSE(d.at("reconnect").as_bool());
  EXPECT_EQ(c.wait_closed(), 4001);
}

TEST(TokenExpiry, WebSocketIsClosedAtExp) {
  TestServer server(options());
  WsClient c(server.port(), "/ws?token=" + token("42", 2));
  ASSERT_TRUE(c.connected());
  EXPECT_EQ(c.next_json().at("type").as_string(), "welcome");
  c.send(R"({"type":"subscribe","channel":"news","id":1})");
  EXPECT_EQ(c.next_json().at("type").as_string(), "reply");
  expect_token_expired(c);
}

TEST(TokenExpiry, FirstFrameAuthIsClosedAtExpToo) {
  TestServer server(options());
  WsClient c(server.port());
  c.send(R"({"type":"auth","token":")" + token("7", 2) + R"(","id":1})");
  EXPECT_EQ(c.next_json().at("type").as_string(), "welcome");
  EXPECT_EQ(c.next_json().at("id").as_int64(), 1);
  expect_token_expired(c);
}

TEST(TokenExpiry, RefreshKeepsTheConnectionPastTheOldExp) {
  TestServer server(options());
  WsClient c(server.port(), "/ws?token=" + token("42", 2));
  EXPECT_EQ(c.next_json().at("type").as_string(), "welcome");
  c.send(R"({"type":"subscribe","channel":"news","id":1})");
  EXPECT_EQ(c.next_json().at("type").as_string(), "reply");
  c.send(R"({"type":"auth","token":")" + token("42", 3600) + R"(","id":2})");
  auto r = c.next_json();
  EXPECT_EQ(r.at("type").as_string(), "reply");
  EXPECT_EQ(r.at("id").as_int64(), 2);
  EXPECT_FALSE(c.next(2500ms)) << "nothing may arrive at the old exp";
  // Still open and still subscribed.
  EXPECT_EQ(http_publish(server.port(), "news", R"({"n":1})").status, 200u);
  EXPECT_EQ(c.next_json().at("type").as_string(), "message");
  c.send(R"({"type":"ping","id":3})");
  EXPECT_EQ(c.next_json().at("id").as_int64(), 3);
}

TEST(TokenExpiry, RefusedRefreshesKeepTheOldToken) {
  TestServer server(options());
  WsClient c(server.port(), "/ws?token=" + token("42", 2));
  EXPECT_EQ(c.next_json().at("type").as_string(), "welcome");
  c.send(R"({"type":"auth","token":")" + token("43", 3600) + R"(","id":1})");
  auto other = c.next_json();
  EXPECT_EQ(other.at("type").as_string(), "error");
  EXPECT_EQ(other.at("id").as_int64(), 1);
  EXPECT_EQ(other.at("code").as_int64(), 403);
  c.send(R"({"type":"auth","token":"not-a-token","id":2})");
  auto bad = c.next_json();
  EXPECT_EQ(bad.at("id").as_int64(), 2);
  EXPECT_EQ(bad.at("code").as_int64(), 401);
  c.send(R"({"type":"auth","token":")" + token("42", -5) + R"(","id":3})");
  auto expired = c.next_json();
  EXPECT_EQ(expired.at("id").as_int64(), 3);
  EXPECT_EQ(expired.at("code").as_int64(), 401);
  // The connection lives on until the original token expires.
  c.send(R"({"type":"ping","id":4})");
  EXPECT_EQ(c.next_json().at("id").as_int64(), 4);
  expect_token_expired(c);
}

TEST(TokenExpiry, SseStreamGetsTheDisconnectEventAtExp) {
  TestServer server(options());
  SseClient sse(server.port(), "/sse?channel=news&token=" + token("42", 2));
  EXPECT_NE(sse.read_until("event: subscribe").find("event: subscribe"), std::string::npos);
  auto text = sse.read_until(R"("reconnect":false})", 4000ms);
  EXPECT_NE(text.find("event: disconnect\ndata: "
                      R"({"type":"disconnect","code":4001,"reason":"token expired")"),
            std::string::npos)
      << text;
}

TEST(TokenExpiry, AnonymousConnectionsHaveNoExpiry) {
  TestServer server;  // auth off
  WsClient c(server.port());
  EXPECT_EQ(c.next_json().at("type").as_string(), "welcome");
  c.send(R"({"type":"auth","token":"whatever","id":1})");
  auto e = c.next_json();
  EXPECT_EQ(e.at("code").as_int64(), 400);
  EXPECT_EQ(e.at("message").as_string(), "already authenticated");
}

}  // namespace
}  // namespace herald::test
