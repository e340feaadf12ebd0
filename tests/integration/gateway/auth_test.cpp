// Authentication over real sockets: JWT in the query, the Authorization header or
// the first frame; 401 before the upgrade for a bad token; 4001 after the auth
// timeout; roles and user:<id> private channels; disconnect by user (4003).
#include "support/test_clients.hpp"
#include "unit/gateway/access/test_tokens.hpp"

#include <gtest/gtest.h>

namespace herald::test {
namespace {

constexpr const char* secret = "test-secret";

std::string token(const std::string& sub, const std::string& extra = "", std::int64_t ttl = 3600) {
  auto exp = std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count() +
             ttl;
  std::string payload = R"({"sub":")" + sub + R"(","exp":)" + std::to_string(exp) + extra + "}";
  return hs256_token(R"({"alg":"HS256","typ":"JWT"})", payload, secret);
}

gateway::GatewayOptions auth_options() {
  gateway::GatewayOptions o;
  o.jwt_secret = secret;
  o.auth_timeout = 300ms;
  gateway::ChannelRule admin;
  admin.match = "admin";
  admin.subscribe = std::vector<std::string>{"role:admin"};
  o.channels.push_back(admin);
  return o;
}

TEST(Auth, TokenInQuery) {
  TestServer server(auth_options());
  WsClient c(server.port(), "/ws?token=" + token("42"));
  ASSERT_TRUE(c.connected());
  auto w = c.next_json();
  EXPECT_EQ(w.at("type").as_string(), "welcome");
  EXPECT_EQ(w.at("user").as_string(), "42");
}

TEST(Auth, TokenInHeader) {
  TestServer server(auth_options());
  WsClient c(server.port(), "/ws", {{"Authorization", "Bearer " + token("7")}});
  ASSERT_TRUE(c.connected());
  EXPECT_EQ(c.next_json().at("user").as_string(), "7");
}

TEST(Auth, BadOrExpiredTokenIs401BeforeUpgrade) {
  TestServer server(auth_options());
  WsClient bad(server.port(), "/ws?token=garbage");
  EXPECT_FALSE(bad.connected());
  EXPECT_EQ(bad.status(), 401u);
  WsClient expired(server.port(), "/ws?token=" + token("1", "", -10));
  EXPECT_EQ(expired.status(), 401u);
}

TEST(Auth, FirstFrameAuth) {
  TestServer server(auth_options());
  WsClient c(server.port());
  ASSERT_TRUE(c.connected());
  EXPECT_FALSE(c.next(100ms));  // no welcome before auth
  c.send(R"({"type":"subscribe","channel":"x","id":1})");
  EXPECT_EQ(c.next_json().at("code").as_int64(), 401);
  c.send(R"({"type":"auth","token":")" + token("5") + R"(","id":2})");
  auto w = c.next_json();
  EXPECT_EQ(w.at("type").as_string(), "welcome");
  EXPECT_EQ(w.at("user").as_string(), "5");
  EXPECT_EQ(c.next_json().at("id").as_int64(), 2);
}

TEST(Auth, NoAuthFrameClosesWith4001) {
  TestServer server(auth_options());
  WsClient c(server.port());
  auto d = c.next_json(2000ms);
  EXPECT_EQ(d.at("type").as_string(), "disconnect");
  EXPECT_EQ(d.at("code").as_int64(), 4001);
  EXPECT_FALSE(d.at("reconnect").as_bool());
  EXPECT_EQ(c.wait_closed(), 4001);
}

TEST(Auth, BadAuthFrameClosesWith4001) {
  TestServer server(auth_options());
  WsClient c(server.port());
  c.send(R"({"type":"auth","token":"nope"})");
  EXPECT_EQ(c.wait_closed(), 4001);
}

TEST(Auth, RolesAndPrivateUserChannels) {
  TestServer server(auth_options());
  WsClient user(server.port(), "/ws?token=" + token("42"));
  user.next();
  user.send(R"({"type":"subscribe","channel":"admin","id":1})");
  EXPECT_EQ(user.next_json().at("code").as_int64(), 403);
  user.send(R"({"type":"subscribe","channel":"user:43","id":2})");
  EXPECT_EQ(user.next_json().at("code").as_int64(), 403);
  user.send(R"({"type":"subscribe","channel":"user:42","id":3})");
  EXPECT_EQ(user.next_json().at("type").as_string(), "reply");
  WsClient admin(server.port(), "/ws?token=" + token("1", R"(,"roles":["admin"])"));
  admin.next();
  admin.send(R"({"type":"subscribe","channel":"admin","id":1})");
  EXPECT_EQ(admin.next_json().at("type").as_string(), "reply");
}

TEST(Auth, DisconnectApiClosesEveryConnectionOfTheUser) {
  TestServer server(auth_options());
  WsClient a(server.port(), "/ws?token=" + token("42"));
  WsClient b(server.port(), "/ws?token=" + token("42"));
  WsClient other(server.port(), "/ws?token=" + token("9"));
  a.next();
  b.next();
  other.next();
  EXPECT_EQ(
      http_request(server.port(), http::verb::post, "/api/disconnect", R"({"user":"42"})").status,
      200u);
  auto d = a.next_json();
  EXPECT_EQ(d.at("code").as_int64(), 4003);
  EXPECT_EQ(a.wait_closed(), 4003);
  EXPECT_EQ(b.wait_closed(), 4003);
  other.send(R"({"type":"ping","id":1})");
  EXPECT_EQ(other.next_json().at("id").as_int64(), 1);
}

}  // namespace
}  // namespace herald::test
