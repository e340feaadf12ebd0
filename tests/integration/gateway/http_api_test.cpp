// HTTP server API of protocol.md section 2: routes, API key, 400/401/413, health,
// readiness, metrics, broadcast, history, disconnect, invalidate (501 for now).
#include "support/keep_alive_client.hpp"
#include "support/test_clients.hpp"

#include <gtest/gtest.h>

namespace herald::test {
namespace {

TEST(HttpApi, PublishAnswersOffsetAndEpoch) {
  TestServer server;
  auto a = http_publish(server.port(), "c", R"({"a":1})");
  EXPECT_EQ(a.status, 200u);
  EXPECT_EQ(a.json().at("offset").as_int64(), 1);
  auto b = http_publish(server.port(), "c", "2");
  EXPECT_EQ(b.json().at("offset").as_int64(), 2);
  EXPECT_EQ(a.json().at("epoch"), b.json().at("epoch"));
}

// The memory engine's publish is answered without a response object on HTTP/1.1
// keep-alive connections (HttpApi::direct_publish): several on one connection, in
// order, then the answers that close it (HTTP/1.0, Connection: close).
TEST(HttpApi, PublishesShareAKeepAliveConnection) {
  TestServer server;
  auto client = std::make_unique<KeepAliveClient>(server.port());
  std::string epoch;
  for (std::int64_t n = 1; n <= 3; ++n) expect_direct_answer(client->publish("k"), n, epoch);
  // A query string is not the fast path's: handle() answers, on the same connection.
  auto routed = client->publish("k", 11, false, "/api/publish?via=handle");
  EXPECT_EQ(routed.result_int(), 200u);
  EXPECT_EQ(offset_of(routed), 4);
  auto last = client->publish("k", 11, true);
  EXPECT_EQ(last.result_int(), 200u);
  EXPECT_FALSE(last.keep_alive());
  EXPECT_EQ(offset_of(last), 5);
  EXPECT_TRUE(client->closed_by_server());
  client = std::make_unique<KeepAliveClient>(server.port());
  auto one_zero = client->publish("k", 10, true);
  EXPECT_EQ(one_zero.result_int(), 200u);
  EXPECT_EQ(one_zero.version(), 10u);
  EXPECT_EQ(offset_of(one_zero), 6);
}

TEST(HttpApi, MalformedBodiesAre400) {
  TestServer server;
  auto post = [&](std::string body) {
    return http_request(server.port(), http::verb::post, "/api/publish", body);
  };
  EXPECT_EQ(post("{").status, 400u);
  EXPECT_EQ(post("[]").status, 400u);
  EXPECT_EQ(post(R"({"data":1})").status, 400u);
  EXPECT_EQ(post(R"({"channel":"c"})").status, 400u);
  auto bad = post(R"({"channel":"no spaces","data":1})");
  EXPECT_EQ(bad.status, 400u);
  EXPECT_EQ(bad.json().at("error").at("code").as_int64(), 400);
  EXPECT_FALSE(bad.json().at("error").at("message").as_string().empty());
}

TEST(HttpApi, BodyOverOneMebibyteIs413) {
  TestServer server;
  std::string body = R"({"channel":"c","data":")" + std::string(1 << 20, 'x') + "\"}";
  EXPECT_EQ(http_request(server.port(), http::verb::post, "/api/publish", body).status, 413u);
}

TEST(HttpApi, ApiKeyIsRequiredWhenSet) {
  gateway::GatewayOptions o;
  o.api_key = "s3cret";
  TestServer server(o);
  EXPECT_EQ(http_publish(server.port(), "c", "1").status, 401u);
  EXPECT_EQ(http_publish(server.port(), "c", "1", {{"Authorization", "apikey wrong"}}).status,
            401u);
  EXPECT_EQ(http_publish(server.port(), "c", "1", {{"Authorization", "apikey s3cret"}}).status,
            200u);
  EXPECT_EQ(http_request(server.port(), http::verb::get, "/metrics").status, 401u);
  EXPECT_EQ(http_request(server.port(), http::verb::get, "/healthz").status, 200u);
  EXPECT_EQ(http_request(server.port(), http::verb::get, "/readyz").status, 200u);
}

TEST(HttpApi, BroadcastHistoryPresence) {
  TestServer server;
  auto r = http_request(server.port(), http::verb::post, "/api/broadcast",
                        R"({"channels":["a","b"],"data":{"x":1}})");
  ASSERT_EQ(r.status, 200u);
  auto results = r.json().at("results").as_array();
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].at("offset").as_int64(), 1);
  http_publish(server.port(), "a", "2");
  auto h = http_request(server.port(), http::verb::get,
                        "/api/history/a?since=1&epoch=" +
                            std::string(results[0].at("epoch").as_string()) + "&limit=10");
  ASSERT_EQ(h.status, 200u);
  auto messages = h.json().at("messages").as_array();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].at("offset").as_int64(), 2);
  EXPECT_EQ(
      http_request(server.port(), http::verb::get, "/api/presence/a").json().at("count").as_int64(),
      0);
  EXPECT_EQ(http_request(server.port(), http::verb::get, "/api/history/a?since=x").status, 400u);
}

// POST /api/batch (docs/protocol.md "Batch publish"): results in order, data kept
// byte for byte; a malformed or invalid body publishes nothing.
TEST(HttpApi, BatchPublishesInOrder) {
  TestServer server;
  auto post = [&](std::string body) {
    return http_request(server.port(), http::verb::post, "/api/batch", std::move(body));
  };
  auto r = post(R"({"publications":[{"channel":"a","data":{"n": 1}},)"
                R"({"channel":"b","data":2},{"channel":"a","data":[3]}]})");
  ASSERT_EQ(r.status, 200u) << r.body;
  auto results = r.json().at("results").as_array();
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0].at("offset").as_int64(), 1);
  EXPECT_EQ(results[1].at("offset").as_int64(), 1);
  EXPECT_EQ(results[2].at("offset").as_int64(), 2);
  auto h = http_request(server.port(), http::verb::get, "/api/history/a");
  EXPECT_NE(h.body.find(R"({"offset":1,"data":{"n": 1}},{"offset":2,"data":[3]})"),
            std::string::npos)
      << h.body;

  for (std::string bad : {std::string("{"), std::string(R"({"publications":[{"channel":"a"}]})"),
                          std::string(R"({"publications":[{"channel":"z","data":1},)"
                                      R"({"channel":"bad name","data":1}]})"),
                          std::string(R"({"publications":[{"channel":"z","data":1},]})"),
                          std::string(R"({"publications":"x"})"), std::string("[]")}) {
    auto e = post(bad);
    EXPECT_EQ(e.status, 400u) << bad;
    EXPECT_EQ(e.json().at("error").at("code").as_int64(), 400);
  }
  std::string many = R"({"publications":[)";
  for (int i = 0; i <= 1000; ++i) many += std::string(i ? "," : "") + R"({"channel":"z","data":1})";
  auto e = post(many + "]}");
  EXPECT_EQ(e.status, 400u);
  EXPECT_EQ(e.json().at("error").at("message").as_string(), "at most 1000 publications per batch");
  // Nothing reached channel z.
  auto z = http_request(server.port(), http::verb::get, "/api/history/z");
  EXPECT_EQ(z.json().at("offset").as_int64(), 0);
  EXPECT_EQ(http_request(server.port(), http::verb::get, "/api/batch").status, 405u);
  auto empty = post(R"({"publications":[]})");
  EXPECT_EQ(empty.status, 200u);
  EXPECT_EQ(empty.body, R"({"results":[]})");
}

TEST(HttpApi, InvalidateIsNotImplementedWithoutCache) {
  TestServer server;
  auto r =
      http_request(server.port(), http::verb::post, "/api/invalidate", R"({"tags":["products"]})");
  EXPECT_EQ(r.status, 501u);
  EXPECT_EQ(r.json().at("error").at("message").as_string(), "cache not configured");
}

TEST(HttpApi, UnknownRouteAndMethod) {
  TestServer server;
  EXPECT_EQ(http_request(server.port(), http::verb::get, "/nope").status, 404u);
  EXPECT_EQ(http_request(server.port(), http::verb::get, "/api/publish").status, 405u);
}

TEST(HttpApi, MetricsCountTraffic) {
  TestServer server;
  WsClient c(server.port());
  c.next();
  c.send(R"({"type":"subscribe","channel":"m","id":1})");
  c.next();
  http_publish(server.port(), "m", "1");
  c.next();
  auto body = http_request(server.port(), http::verb::get, "/metrics").body;
  EXPECT_NE(body.find("herald_connections 1"), std::string::npos) << body;
  EXPECT_NE(body.find("herald_subscriptions 1"), std::string::npos);
  EXPECT_NE(body.find("herald_messages_in_total 1"), std::string::npos);
  EXPECT_NE(body.find("herald_publish_deliver_latency_seconds_count 1"), std::string::npos);
  EXPECT_NE(body.find("herald_disconnects_total{reason=\"slow_consumer\"} 0"), std::string::npos);
}

TEST(HttpApi, DisconnectClosesTheUsersConnections) {
  // Without auth every user is "", so use an unknown user: nobody is closed...
  TestServer server;
  WsClient c(server.port());
  c.next();
  EXPECT_EQ(
      http_request(server.port(), http::verb::post, "/api/disconnect", R"({"user":"42"})").status,
      200u);
  c.send(R"({"type":"ping","id":1})");
  EXPECT_EQ(c.next_json().at("id").as_int64(), 1);
  EXPECT_EQ(
      http_request(server.port(), http::verb::post, "/api/disconnect", R"({"user":""})").status,
      400u);
}

}  // namespace
}  // namespace herald::test
