// Application hooks: GatewayOptions::app_handler serves every path the gateway does
// not (without the API key), invalidate_tags backs POST /api/invalidate, extra_metrics
// extends /metrics, and Server::engine() publishes in-process.
#include "support/test_clients.hpp"

#include <herald/realtime/engine.hpp>

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>

namespace herald::test {
namespace {

gateway::GatewayOptions app_options() {
  gateway::GatewayOptions o;
  o.api_key = "k";
  o.app_handler =
      [](gateway::AppRequest r) -> asio::awaitable<std::optional<gateway::AppResponse>> {
    if (r.path != "/hello") co_return std::nullopt;
    gateway::AppResponse out;
    out.content_type = "text/plain";
    out.body = r.method + " " + r.query["name"] + " " + r.headers["x-test"] + " " + r.body;
    out.headers.emplace_back("X-App", "1");
    co_return out;
  };
  o.invalidate_tags =
      [](std::vector<std::string> tags) -> asio::awaitable<boost::system::result<std::size_t>> {
    co_return tags.size() * 10;
  };
  o.extra_metrics = [] { return std::string("herald_cache_hits_total 7\n"); };
  return o;
}

TEST(AppRoutes, UnmatchedPathsGoToTheAppWithoutApiKey) {
  TestServer server(app_options());
  auto r =
      http_request(server.port(), http::verb::post, "/hello?name=ann", "body", {{"X-Test", "yes"}});
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.body, "POST ann yes body");
  EXPECT_EQ(http_request(server.port(), http::verb::get, "/api/products").status,
            404u);                                                // app said nullopt
  EXPECT_EQ(http_publish(server.port(), "c", "1").status, 401u);  // gateway routes keep the key
  EXPECT_EQ(http_publish(server.port(), "c", "1", {{"Authorization", "apikey k"}}).status, 200u);
}

TEST(AppRoutes, InvalidateAndExtraMetrics) {
  TestServer server(app_options());
  std::map<std::string, std::string> key{{"Authorization", "apikey k"}};
  auto r = http_request(server.port(), http::verb::post, "/api/invalidate", R"({"tags":["a","b"]})",
                        key);
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.json().at("keys").as_int64(), 20);
  EXPECT_EQ(http_request(server.port(), http::verb::post, "/api/invalidate", R"({"tags":[1]})", key)
                .status,
            400u);
  auto m = http_request(server.port(), http::verb::get, "/metrics", "", key);
  EXPECT_NE(m.body.find("herald_cache_hits_total 7\n"), std::string::npos);
}

TEST(AppRoutes, EnginePublishesInProcess) {
  TestServer server;
  WsClient c(server.port());
  c.next();
  c.send(R"({"type":"subscribe","channel":"inproc","id":1})");
  c.next();
  asio::io_context io;
  auto f = asio::co_spawn(io, server.server().engine().publish("inproc", R"({"x":1})"),
                          asio::use_future);
  io.run();
  auto pos = f.get();
  ASSERT_TRUE(pos);
  EXPECT_EQ(pos->offset, 1u);
  EXPECT_EQ(c.next_json().at("data").at("x").as_int64(), 1);
}

}  // namespace
}  // namespace herald::test
