// `POST /api/publish` on the Redis engine through a real `herald serve --redis` and a
// real redis-server: the common publish is answered straight from the request loop
// (HttpApi::direct_publish, as on the memory engine), so this checks that path's
// answers on one keep-alive connection (offsets in order, HTTP/1.1 keep-alive bytes,
// a routed request in between, the close), and that an engine error there is the
// JSON 503 of protocol.md section 2 on a connection that stays usable.
#include "support/eventually.hpp"
#include "support/herald_process.hpp"
#include "support/keep_alive_client.hpp"
#include "support/redis_server.hpp"

#include <gtest/gtest.h>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>

#include <cstdint>
#include <string>

namespace herald::test {
namespace {

namespace http = boost::beast::http;
using Answer = PublishAnswer;

TEST(HeraldServeRedis, PublishesShareAKeepAliveConnection) {
  RedisServer redis;
  redis.start();
  HeraldProcess herald({"--redis", redis.url()});
  KeepAliveClient client(herald.port());
  std::string epoch;
  for (std::int64_t n = 1; n <= 3; ++n) expect_direct_answer(client.publish("orders"), n, epoch);
  // A query string is not the direct path's: handle() answers, on the same connection.
  Answer routed = client.publish("orders", 11, false, "/api/publish?via=handle");
  EXPECT_EQ(routed.result_int(), 200u);
  EXPECT_EQ(offset_of(routed), 4);
  Answer last = client.publish("orders", 11, true);
  EXPECT_EQ(last.result_int(), 200u);
  EXPECT_FALSE(last.keep_alive());
  EXPECT_EQ(offset_of(last), 5);
  EXPECT_TRUE(client.closed_by_server());
  // What the answers said is what Redis holds.
  EXPECT_EQ(redis.cli({"HGET", "herald:ch:{orders}:meta", "o"}), "5");
}

TEST(HeraldServeRedis, AnEngineErrorIsA503AndTheConnectionStays) {
  RedisServer redis;
  redis.start();
  HeraldProcess herald({"--redis", redis.url()});
  KeepAliveClient client(herald.port());
  ASSERT_EQ(client.publish("news").result_int(), 200u);
  redis.kill9();
  Answer refused;
  ASSERT_TRUE(eventually([&] {
    refused = client.publish("news");
    return refused.result_int() == 503u;
  })) << refused.result_int()
      << " " << refused.body();
  EXPECT_TRUE(refused.keep_alive());
  EXPECT_EQ(refused[http::field::content_type], "application/json");
  auto error = boost::json::parse(refused.body()).at("error");
  EXPECT_EQ(error.at("code").as_int64(), 503);
  EXPECT_FALSE(error.at("message").as_string().empty());
  redis.restart();
  Answer back;
  EXPECT_TRUE(eventually(
      [&] {
        back = client.publish("news");
        return back.result_int() == 200u;
      },
      std::chrono::seconds(20)))
      << back.result_int() << " " << back.body();
}

}  // namespace
}  // namespace herald::test
