// The admin console over real sockets (docs/operations.md "Admin console"): off
// unless configured (404), login with the password (cookie attributes) or an
// admin-role JWT, 401 then 429 + Retry-After for the retry, other origins 403 on
// pages, API and the console's WebSocket, the session's WebSocket reads its node's
// live figures, and an action goes through the HTTP API's code.
#include "support/test_clients.hpp"

#include <openssl/hmac.h>

#include <gtest/gtest.h>

namespace herald::test {
namespace {

constexpr const char* password = "correct horse";

HttpResult login(std::uint16_t port, const std::string& body,
                 std::map<std::string, std::string> headers = {}) {
  return http_request(port, http::verb::post, "/admin/api/login", body, std::move(headers));
}

// Logs in once the address's lock-out has passed: attempts during it are refused
// (429) without counting as failures, so polling is harmless. Gives up after 10 s.
HttpResult login_when_allowed(std::uint16_t port, const std::string& body,
                              std::map<std::string, std::string> headers = {}) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  for (;;) {
    HttpResult a = login(port, body, headers);
    if (a.status != 429 || std::chrono::steady_clock::now() > deadline) return a;
    std::this_thread::sleep_for(50ms);
  }
}

gateway::GatewayOptions console_options() {
  gateway::GatewayOptions o;
  o.admin_password = password;
  o.node_id = "n1";
  return o;
}

std::string b64url(std::string_view in) {
  static constexpr char table[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    unsigned v = (static_cast<unsigned char>(in[i]) << 16) |
                 (static_cast<unsigned char>(in[i + 1]) << 8) |
                 static_cast<unsigned char>(in[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += table[(v >> s) & 63];
  }
  if (in.size() - i == 1) {
    unsigned v = static_cast<unsigned char>(in[i]) << 16;
    out += table[(v >> 18) & 63];
    out += table[(v >> 12) & 63];
  } else if (in.size() - i == 2) {
    unsigned v =
        (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
    for (int s = 18; s >= 6; s -= 6) out += table[(v >> s) & 63];
  }
  return out;
}

std::string hs256(const std::string& secret, const std::string& claims) {
  std::string signing = b64url(R"({"alg":"HS256","typ":"JWT"})") + "." + b64url(claims);
  unsigned char mac[32];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(signing.data()), signing.size(), mac, &len);
  return signing + "." + b64url(std::string_view(reinterpret_cast<const char*>(mac), len));
}

std::string cookie_of(const HttpResult& a) {
  auto it = a.headers.find("set-cookie");
  if (it == a.headers.end()) return {};
  return it->second.substr(0, it->second.find(';'));
}

TEST(AdminConsole, OffUnlessConfigured) {
  TestServer server;
  EXPECT_EQ(http_request(server.port(), http::verb::get, "/admin/").status, 404u);
  EXPECT_EQ(login(server.port(), R"({"password":"x"})").status, 404u);
}

TEST(AdminConsole, PasswordLoginThrottleAndCookie) {
  TestServer server(console_options());
  const auto port = server.port();
  EXPECT_EQ(http_request(port, http::verb::get, "/admin/api/session").status, 401u);
  EXPECT_EQ(login(port, "not json").status, 400u);
  EXPECT_EQ(login(port, R"({"password":"wrong"})").status, 401u);
  // Too soon after a failure: refused without looking at the password.
  HttpResult throttled = login(port, std::string(R"({"password":")") + password + "\"}");
  EXPECT_EQ(throttled.status, 429u);
  ASSERT_TRUE(throttled.headers.contains("retry-after"));
  EXPECT_EQ(throttled.headers["retry-after"], "1");
  HttpResult ok = login_when_allowed(port, std::string(R"({"password":")") + password + "\"}");
  ASSERT_EQ(ok.status, 200u) << ok.body;
  EXPECT_EQ(ok.json().at("node").as_string(), "n1");
  EXPECT_EQ(ok.json().at("channel").as_string(), "herald:admin:stats:n1");
  const std::string& set_cookie = ok.headers["set-cookie"];
  EXPECT_NE(set_cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(set_cookie.find("SameSite=Strict"), std::string::npos);
  EXPECT_NE(set_cookie.find("Path=/"), std::string::npos);
  EXPECT_EQ(set_cookie.find("Secure"), std::string::npos);
  const std::string cookie = cookie_of(ok);
  EXPECT_EQ(
      http_request(port, http::verb::get, "/admin/api/session", {}, {{"Cookie", cookie}}).status,
      200u);
  // Over TLS (a terminating proxy says so) the cookie is Secure.
  HttpResult tls = login(port, std::string(R"({"password":")") + password + "\"}",
                         {{"X-Forwarded-Proto", "https"}});
  ASSERT_EQ(tls.status, 200u);
  EXPECT_NE(tls.headers["set-cookie"].find("; Secure"), std::string::npos);
  // A forged cookie is no session.
  std::string forged = cookie;
  forged.back() = forged.back() == '0' ? '1' : '0';
  EXPECT_EQ(
      http_request(port, http::verb::get, "/admin/api/session", {}, {{"Cookie", forged}}).status,
      401u);
}

TEST(AdminConsole, OtherOriginsAreRefused) {
  TestServer server(console_options());
  const auto port = server.port();
  const std::string self = "http://127.0.0.1:" + std::to_string(port);
  HttpResult ok =
      login(port, std::string(R"({"password":")") + password + "\"}", {{"Origin", self}});
  ASSERT_EQ(ok.status, 200u);
  const std::string cookie = cookie_of(ok);
  const std::map<std::string, std::string> evil{{"Origin", "http://evil.example"},
                                                {"Cookie", cookie}};
  EXPECT_EQ(http_request(port, http::verb::get, "/admin/", {}, evil).status, 403u);
  EXPECT_EQ(http_request(port, http::verb::get, "/admin/api/session", {}, evil).status, 403u);
  EXPECT_EQ(login(port, std::string(R"({"password":")") + password + "\"}", evil).status, 403u);
  EXPECT_EQ(http_request(port, http::verb::post, "/admin/api/publish",
                         R"({"channel":"c","data":1})", evil)
                .status,
            403u);
  EXPECT_EQ(http_request(port, http::verb::get, "/admin/api/session", {},
                         {{"Cookie", cookie}, {"Sec-Fetch-Site", "cross-site"}})
                .status,
            403u);
  HttpResult page =
      http_request(port, http::verb::get, "/admin/", {}, {{"Sec-Fetch-Site", "none"}});
  EXPECT_EQ(page.status, 200u);
  EXPECT_EQ(page.headers["x-frame-options"], "DENY");
  EXPECT_EQ(page.headers["cache-control"], "no-store");
  EXPECT_NE(page.headers["content-security-policy"].find("frame-ancestors 'none'"),
            std::string::npos);
  WsClient refused(port, "/ws", evil);
  EXPECT_FALSE(refused.connected());
  EXPECT_EQ(refused.status(), 403u);
}

TEST(AdminConsole, SessionWebSocketReadsTheFiguresAndActionsUseTheApi) {
  gateway::GatewayOptions o = console_options();
  o.jwt_secret = "jwt-secret";
  TestServer server(o);
  const auto port = server.port();
  HttpResult ok = login(port, std::string(R"({"password":")") + password + "\"}");
  ASSERT_EQ(ok.status, 200u);
  const std::string cookie = cookie_of(ok);

  WsClient console(port, "/ws", {{"Cookie", cookie}});
  ASSERT_TRUE(console.connected());
  ASSERT_TRUE(console.next_of_type("welcome").is_object());  // no token: the cookie
  console.send(R"({"type":"subscribe","id":1,"channel":"herald:admin:stats:n1"})");
  ASSERT_TRUE(console.next_of_type("reply").is_object());
  auto snapshot = console.next_of_type("message", 5000ms);
  ASSERT_TRUE(snapshot.is_object());
  const auto& data = snapshot.at("data");
  EXPECT_EQ(data.at("node").as_string(), "n1");
  EXPECT_EQ(data.at("engine").as_string(), "memory");
  EXPECT_GE(data.at("connections").as_int64(), 1);
  ASSERT_EQ(data.at("nodes").as_array().size(), 1u);  // the memory engine: this node

  // A client JWT, even with an admin role, cannot read the console's channel.
  const std::string jwt =
      hs256("jwt-secret", R"({"sub":"mallory","roles":["admin"],"exp":4102444800})");
  WsClient user(port, "/ws?token=" + jwt);
  ASSERT_TRUE(user.connected());
  ASSERT_TRUE(user.next_of_type("welcome").is_object());
  user.send(R"({"type":"subscribe","id":1,"channel":"herald:admin:stats:n1"})");
  auto refused = user.next_of_type("error");
  ASSERT_TRUE(refused.is_object());
  EXPECT_EQ(refused.at("code").as_int64(), 403);

  // An action: the HTTP API's publish, seen by the API's history.
  HttpResult pub = http_request(port, http::verb::post, "/admin/api/publish",
                                R"({"channel":"news","data":{"x":1}})", {{"Cookie", cookie}});
  ASSERT_EQ(pub.status, 200u) << pub.body;
  EXPECT_EQ(pub.json().at("offset").as_int64(), 1);
  auto history = http_request(port, http::verb::get, "/api/history/news");
  EXPECT_EQ(history.json().at("messages").as_array().size(), 1u);
  EXPECT_EQ(
      http_request(port, http::verb::post, "/admin/api/publish", R"({"channel":"news","data":1})")
          .status,
      401u);  // no session
  EXPECT_EQ(
      http_request(port, http::verb::get, "/admin/api/metrics", {}, {{"Cookie", cookie}}).status,
      404u);  // only the listed actions
}

TEST(AdminConsole, AdminRoleJwtLogsIn) {
  gateway::GatewayOptions o;
  o.jwt_secret = "jwt-secret";
  o.admin_jwt_role = "ops";
  TestServer server(o);
  const auto port = server.port();
  const std::string ops = hs256("jwt-secret", R"({"sub":"olga","roles":["ops"],"exp":4102444800})");
  const std::string dev = hs256("jwt-secret", R"({"sub":"dan","roles":["dev"],"exp":4102444800})");
  EXPECT_EQ(login(port, R"({"password":"anything at all"})").status, 401u);
  EXPECT_EQ(login_when_allowed(port, R"({"token":")" + dev + "\"}").status, 401u);
  HttpResult ok = login_when_allowed(port, R"({"token":")" + ops + "\"}");
  ASSERT_EQ(ok.status, 200u) << ok.body;
  EXPECT_EQ(ok.json().at("admin").as_string(), "jwt:olga");
}

}  // namespace
}  // namespace herald::test
