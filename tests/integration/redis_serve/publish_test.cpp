// `POST /api/publish` on the Redis engine through a real `herald serve --redis` and a
// real redis-server: the common publish is answered straight from the request loop
// (HttpApi::direct_publish, as on the memory engine), so this checks that path's
// answers on one keep-alive connection (offsets in order, HTTP/1.1 keep-alive bytes,
// a routed request in between, the close), and that an engine error there is the
// JSON 503 of protocol.md section 2 on a connection that stays usable.
#include "support/eventually.hpp"
#include "support/herald_process.hpp"
#include "support/redis_server.hpp"

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>

#include <cstdint>
#include <string>

namespace herald::test {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using Answer = http::response<http::string_body>;

// One HTTP client connection kept across requests (the loadgen's publishers do so).
class KeepAliveClient {
 public:
  explicit KeepAliveClient(std::uint16_t port) : stream_(ioc_) {
    stream_.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  }
  Answer publish(const std::string& channel, bool close = false,
                 const std::string& target = "/api/publish") {
    http::request<http::string_body> req{http::verb::post, target, 11};
    req.set(http::field::host, "x");
    req.set(http::field::content_type, "application/json");
    req.body() = R"({"channel":")" + channel + R"(","data":{"n":1}})";
    req.keep_alive(!close);
    req.prepare_payload();
    http::write(stream_, req);
    Answer res;
    http::read(stream_, buffer_, res);
    return res;
  }
  /// True once the server has closed the connection (a read sees the end).
  bool closed_by_server() {
    Answer none;
    beast::error_code ec;
    http::read(stream_, buffer_, none, ec);
    return ec == http::error::end_of_stream;
  }

 private:
  asio::io_context ioc_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
};

std::int64_t offset_of(const Answer& res) {
  return boost::json::parse(res.body()).at("offset").as_int64();
}

TEST(HeraldServeRedis, PublishesShareAKeepAliveConnection) {
  RedisServer redis;
  redis.start();
  HeraldProcess herald({"--redis", redis.url()});
  KeepAliveClient client(herald.port());
  std::string epoch;
  for (std::int64_t n = 1; n <= 3; ++n) {
    Answer res = client.publish("orders");
    ASSERT_EQ(res.result_int(), 200u) << res.body();
    EXPECT_EQ(res[http::field::server], "herald");
    EXPECT_EQ(res[http::field::content_type], "application/json");
    EXPECT_TRUE(res.keep_alive());
    auto answer = boost::json::parse(res.body());
    EXPECT_EQ(answer.at("offset").as_int64(), n);
    if (epoch.empty()) epoch = answer.at("epoch").as_string();
    EXPECT_EQ(answer.at("epoch").as_string(), epoch);
  }
  // A query string is not the direct path's: handle() answers, on the same connection.
  Answer routed = client.publish("orders", false, "/api/publish?via=handle");
  EXPECT_EQ(routed.result_int(), 200u);
  EXPECT_EQ(offset_of(routed), 4);
  Answer last = client.publish("orders", true);
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
