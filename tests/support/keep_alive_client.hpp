// KeepAliveClient: one HTTP client connection kept across `POST /api/publish`
// requests, as the benchmark's publishers keep theirs, and expect_direct_answer(): the
// checks of an answer from the gateway's direct publish path (HttpApi::direct_publish)
// that the memory-engine and Redis-engine tests share. Header-only (Beast, Boost.JSON,
// GoogleTest); blocking calls for the test thread; one connection per client.
#pragma once

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

using PublishAnswer = boost::beast::http::response<boost::beast::http::string_body>;

class KeepAliveClient {
 public:
  explicit KeepAliveClient(std::uint16_t port) : stream_(ioc_) {
    stream_.connect(
        boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
  }
  /// Publishes `{"channel":channel,"data":{"n":1}}` and reads the answer. `version`:
  /// 11 or 10; `close`: asks the server to close after answering.
  PublishAnswer publish(const std::string& channel, unsigned version = 11, bool close = false,
                        const std::string& target = "/api/publish") {
    namespace http = boost::beast::http;
    http::request<http::string_body> req{http::verb::post, target, version};
    req.set(http::field::host, "x");
    req.set(http::field::content_type, "application/json");
    req.body() = R"({"channel":")" + channel + R"(","data":{"n":1}})";
    req.keep_alive(!close);
    req.prepare_payload();
    http::write(stream_, req);
    PublishAnswer res;
    http::read(stream_, buffer_, res);
    return res;
  }
  /// True once the server has closed the connection (a read sees the end).
  bool closed_by_server() {
    PublishAnswer none;
    boost::beast::error_code ec;
    boost::beast::http::read(stream_, buffer_, none, ec);
    return ec == boost::beast::http::error::end_of_stream;
  }

 private:
  boost::asio::io_context ioc_;
  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
};

inline std::int64_t offset_of(const PublishAnswer& res) {
  return boost::json::parse(res.body()).at("offset").as_int64();
}

/// An HTTP/1.1 keep-alive answer of the direct publish path: 200, `Server: herald`,
/// JSON, kept alive, `offset` n, and the epoch of the first answer (kept in `epoch`).
inline void expect_direct_answer(const PublishAnswer& res, std::int64_t n, std::string& epoch) {
  namespace http = boost::beast::http;
  ASSERT_EQ(res.result_int(), 200u) << res.body();
  EXPECT_EQ(res[http::field::server], "herald");
  EXPECT_EQ(res[http::field::content_type], "application/json");
  EXPECT_TRUE(res.keep_alive());
  auto answer = boost::json::parse(res.body());
  EXPECT_EQ(answer.at("offset").as_int64(), n);
  if (epoch.empty()) epoch = answer.at("epoch").as_string();
  EXPECT_EQ(answer.at("epoch").as_string(), epoch);
}

}  // namespace herald::test
