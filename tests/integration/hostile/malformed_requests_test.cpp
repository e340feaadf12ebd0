// Issue 19, items 4 and 5, over raw sockets: requests the parser used to frame the
// wrong way or answer with a reset get an answer and a close; method, Host, WebSocket
// key, close code and JSON depth rules; the plain-HTTP connection cap; unauthenticated
// WebSockets leave max_connections when they are closed.
#include "integration/hostile/raw_client.hpp"
#include "support/test_clients.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

namespace herald::test {
namespace {

// Sends `bytes` on a fresh connection and reads until the server closes it.
std::string exchange(std::uint16_t port, std::string_view bytes, int* error = nullptr) {
  RawClient c(port);
  c.send_all(bytes);
  return c.read_to_close(error);
}

std::string publish_with(std::string_view transfer_encoding) {
  std::string body = R"({"channel":"smuggle","data":1})";
  std::string req = "POST /api/publish HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: ";
  req += transfer_encoding;
  req += "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  // The smuggled request, in the same write.
  req += "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  return req;
}

TEST(HostileRequests, TransferEncodingOtherThanChunkedIsRefusedAndClosed) {
  TestServer server;
  for (std::string_view te : {"identity", "gzip", "chunked, identity", "chunked"}) {
    std::string text = exchange(server.port(), publish_with(te));
    EXPECT_EQ(http_status(text), 400u) << te;
    EXPECT_EQ(http_responses(text), 1) << te << ": the second request was served:\n" << text;
  }
  // A coding list ending in chunked: a coding the server does not implement.
  std::string gz =
      "POST /api/publish HTTP/1.1\r\nHost: 127.0.0.1\r\n"
      "Transfer-Encoding: gzip, chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
      "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  std::string text = exchange(server.port(), gz);
  EXPECT_EQ(http_status(text), 501u);
  EXPECT_EQ(http_responses(text), 1);
  // Plain chunked still works.
  std::string body = R"({"channel":"ok","data":1})";
  char size[16];
  std::snprintf(size, sizeof size, "%zx", body.size());
  std::string chunked =
      "POST /api/publish HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
      "Transfer-Encoding: chunked\r\n\r\n" +
      std::string(size) + "\r\n" + body + "\r\n0\r\n\r\n";
  EXPECT_EQ(http_status(exchange(server.port(), chunked)), 200u);
}

TEST(HostileRequests, OversizedHeadsGetAnAnswerNotAReset) {
  TestServer server;
  // One header field over the 16 KiB limit.
  std::string big_field =
      "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(32 * 1024, 'a') + "\r\n\r\n";
  int error = -1;
  EXPECT_EQ(http_status(exchange(server.port(), big_field, &error)), 431u);
  EXPECT_EQ(error, 0) << "the connection was reset";
  // 10,000 header fields.
  std::string many = "GET /healthz HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 10000; ++i) many += "X-H" + std::to_string(i) + ": v\r\n";
  many += "\r\n";
  EXPECT_EQ(http_status(exchange(server.port(), many, &error)), 431u);
  EXPECT_EQ(error, 0) << "the connection was reset";
  // A 100 KB request line.
  std::string line = "GET /" + std::string(100 * 1000, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n";
  EXPECT_EQ(http_status(exchange(server.port(), line, &error)), 414u);
  EXPECT_EQ(error, 0) << "the connection was reset";
  // Garbage: 400.
  EXPECT_EQ(http_status(exchange(server.port(), "GET / HTTP/1.1\r\nHo st: x\r\n\r\n")), 400u);
}

TEST(HostileRequests, Http11WithoutHostIs400) {
  TestServer server;
  EXPECT_EQ(http_status(exchange(server.port(), "GET /healthz HTTP/1.1\r\n\r\n")), 400u);
  EXPECT_EQ(
      http_status(exchange(server.port(), "GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n")),
      400u);
  // HTTP/1.0 needs no Host.
  EXPECT_EQ(http_status(exchange(server.port(), "GET /healthz HTTP/1.0\r\n\r\n")), 200u);
}

TEST(HostileRequests, ProbesAnswerOnlyGetAndHead) {
  TestServer server;
  for (std::string_view path : {"/healthz", "/readyz", "/metrics"}) {
    for (std::string_view method : {"POST", "PUT", "DELETE", "PATCH"}) {
      std::string req = std::string(method) + " " + std::string(path) +
                        " HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
      std::string text = exchange(server.port(), req);
      EXPECT_EQ(http_status(text), 405u) << method << " " << path;
      EXPECT_NE(text.find("Allow: GET, HEAD"), std::string::npos);
    }
  }
  std::string head = exchange(server.port(),
                              "HEAD /healthz HTTP/1.1\r\nHost: x\r\n"
                              "Connection: close\r\n\r\n");
  EXPECT_EQ(http_status(head), 200u);
  EXPECT_TRUE(head.ends_with("\r\n\r\n")) << "HEAD answered with a body:\n" << head;
}

TEST(HostileRequests, InvalidWebSocketKeyIs400) {
  TestServer server;
  for (std::string_view key : {"short", "!!!!!!!!!!!!!!!!!!!!!!==", "dGhlIHNhbXBsZSBub25jZQ",
                               "dGhlIHNhbXBsZSBub25jZQ==AAAA"}) {
    RawClient c(server.port());
    c.send_all(ws_upgrade(key));
    EXPECT_EQ(http_status(c.read_until("\r\n\r\n")), 400u) << key;
  }
  RawClient ok(server.port());
  ok.send_all(ws_upgrade());
  EXPECT_EQ(http_status(ok.read_until("\r\n\r\n")), 101u);
}

// The close frame the server answers a client close with `code`.
int server_close_code(std::uint16_t port, std::uint16_t code) {
  RawClient c(port);
  c.send_all(ws_upgrade());
  std::string head = c.read_until("\r\n\r\n");
  if (http_status(head) != 101) return -1;
  std::string payload;
  payload += static_cast<char>(code >> 8);
  payload += static_cast<char>(code & 0xFF);
  c.send_all(ws_frame(0x8, payload));
  std::string rest = c.read_to_close();
  std::string all = head + rest;
  std::string frames = all.substr(all.find("\r\n\r\n") + 4);
  // Skip data frames (the welcome) up to the close frame.
  std::size_t i = 0;
  while (i + 2 <= frames.size()) {
    auto b0 = static_cast<unsigned char>(frames[i]);
    std::size_t len = static_cast<unsigned char>(frames[i + 1]) & 0x7F;
    std::size_t header = 2;
    if (len == 126) {
      len = (static_cast<unsigned char>(frames[i + 2]) << 8) |
            static_cast<unsigned char>(frames[i + 3]);
      header = 4;
    }
    if ((b0 & 0x0F) == 0x8) {
      if (len < 2) return 0;
      return (static_cast<unsigned char>(frames[i + header]) << 8) |
             static_cast<unsigned char>(frames[i + header + 1]);
    }
    i += header + len;
  }
  return -2;
}

TEST(HostileRequests, CloseCodesFrom5000AreAProtocolError) {
  TestServer server;
  EXPECT_EQ(server_close_code(server.port(), 5000), 1002);
  EXPECT_EQ(server_close_code(server.port(), 65535), 1002);
  EXPECT_EQ(server_close_code(server.port(), 4999), 4999);  // private use: echoed
  EXPECT_EQ(server_close_code(server.port(), 1000), 1000);
}

std::string nested(int depth) {
  return std::string(static_cast<std::size_t>(depth), '[') + "1" +
         std::string(static_cast<std::size_t>(depth), ']');
}

TEST(HostileRequests, JsonNestedPastTheLimitIsA400ThatSaysSo) {
  TestServer server;
  auto r = http_publish(server.port(), "deep", nested(100));
  EXPECT_EQ(r.status, 400u);
  EXPECT_NE(r.body.find("nested deeper than 32"), std::string::npos) << r.body;
  EXPECT_EQ(http_publish(server.port(), "deep", nested(20)).status, 200u);

  WsClient c(server.port());
  ASSERT_TRUE(c.connected());
  c.next();  // welcome
  c.send(R"({"type":"publish","channel":"deep","id":1,"data":)" + nested(100) + "}");
  auto e = c.next_of_type("error");
  ASSERT_TRUE(e.is_object());
  EXPECT_EQ(e.at("code").as_int64(), 400);
  EXPECT_NE(e.at("message").as_string().find("nested deeper than 32"), std::string::npos);
}

TEST(HostileRequests, PlainHttpConnectionsHaveACapOfTheirOwn) {
  gateway::GatewayOptions o;
  o.max_http_connections = 3;
  TestServer server(o);
  // Three keep-alive connections, each past one request (so the server holds them).
  std::vector<std::unique_ptr<RawClient>> idle;
  for (int i = 0; i < 3; ++i) {
    idle.push_back(std::make_unique<RawClient>(server.port()));
    idle.back()->send_all("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    ASSERT_EQ(http_status(idle.back()->read_until("\"ok\"}")), 200u);
  }
  std::string text = exchange(server.port(), "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(http_status(text), 503u) << text;
  // A connection leaves the count when the server saw it go, which may be a moment
  // after the client had its answer: every check below retries (bounded) until the
  // server caught up. A slot that never frees fails all the retries.
  auto eventually = [](auto attempt) {
    for (int i = 0; i < 100; ++i) {
      if (attempt()) return true;
      std::this_thread::sleep_for(20ms);
    }
    return false;
  };
  auto closing_get = [&server] {
    return exchange(server.port(),
                    "GET /healthz HTTP/1.1\r\nHost: x\r\n"
                    "Connection: close\r\n\r\n");
  };
  // One leaves: a slot is free again.
  idle.pop_back();
  EXPECT_TRUE(eventually([&] { return http_status(closing_get()) == 200; }));
  // Upgraded connections leave the count: with two idle connections held, a WebSocket
  // and then another plain connection both get in.
  ASSERT_EQ(idle.size(), 2u);
  std::unique_ptr<WsClient> ws;
  EXPECT_TRUE(eventually([&] {
    ws = std::make_unique<WsClient>(server.port());
    return ws->connected();
  })) << ws->status();
  std::string third;
  EXPECT_TRUE(eventually([&] {
    third = closing_get();
    return http_status(third) == 200;
  })) << third;
}

TEST(HostileRequests, UnauthenticatedWebSocketsLeaveTheCapAtTheAuthDeadline) {
  gateway::GatewayOptions o;
  o.jwt_secret = "hostile-test-secret";
  o.max_connections = 2;
  o.auth_timeout = std::chrono::milliseconds(300);
  TestServer server(o);
  // Two upgrades that never authenticate and never read (so the close handshake would
  // hold them for the 5 s close deadline).
  std::vector<std::unique_ptr<RawClient>> squatters;
  for (int i = 0; i < 2; ++i) {
    squatters.push_back(std::make_unique<RawClient>(server.port(), 4096));
    squatters.back()->send_all(ws_upgrade());
    ASSERT_EQ(http_status(squatters.back()->read_until("\r\n\r\n")), 101u);
  }
  RawClient refused(server.port());
  refused.send_all(ws_upgrade());
  EXPECT_EQ(http_status(refused.read_until("\r\n\r\n")), 503u);
  // Past the auth deadline the slots are free, well before the close deadline.
  auto start = std::chrono::steady_clock::now();
  bool admitted = false;
  while (!admitted && std::chrono::steady_clock::now() - start < 3s) {
    RawClient c(server.port());
    c.send_all(ws_upgrade());
    admitted = http_status(c.read_until("\r\n\r\n")) == 101;
    if (!admitted) std::this_thread::sleep_for(20ms);
  }
  EXPECT_TRUE(admitted);
}

}  // namespace
}  // namespace herald::test
