// Graceful shutdown: every client gets `disconnect` 3001 reconnect:true, then the
// close handshake, and shutdown() returns promptly.
#include "support/test_clients.hpp"

#include <gtest/gtest.h>

namespace herald::test {
namespace {

TEST(Shutdown, DisconnectsEveryClientWithReconnectHint) {
  TestServer server;
  WsClient a(server.port()), b(server.port());
  a.next();
  b.next();
  a.send(R"({"type":"subscribe","channel":"c","id":1})");
  a.next();
  auto t0 = std::chrono::steady_clock::now();
  server.server().shutdown();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s);
  for (WsClient* c : {&a, &b}) {
    auto d = c->next_json();
    EXPECT_EQ(d.at("type").as_string(), "disconnect");
    EXPECT_EQ(d.at("code").as_int64(), 3001);
    EXPECT_TRUE(d.at("reconnect").as_bool());
    EXPECT_EQ(c->wait_closed(), 3001);
  }
}

TEST(Shutdown, RefusesNewConnections) {
  TestServer server;
  auto port = server.port();
  server.server().shutdown();
  EXPECT_THROW(http_request(port, http::verb::get, "/healthz"), std::exception);
}

}  // namespace
}  // namespace herald::test
