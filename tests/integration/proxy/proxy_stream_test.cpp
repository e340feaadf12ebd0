// Bodies too large to store (past the 1 MiB max_object_bytes) are streamed to the
// client as they arrive, not buffered: with the app's Content-Length, chunked when
// the app gave none, and an app that stops half-way ends the client's answer short
// (never a wrong one) while Herald keeps serving.
#include "integration/proxy/fetched.hpp"
#include "integration/proxy/upstream_server.hpp"
#include "support/herald_process.hpp"

#include <gtest/gtest.h>

namespace herald::test {
namespace {

std::string pattern(std::size_t n) {
  std::string s(n, ' ');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + i % 26);
  return s;
}

class ProxyStream : public ::testing::Test {
 protected:
  void SetUp() override {
    upstream_ = std::make_unique<UpstreamServer>([this](const UpstreamRequest& r) {
      const std::string big = pattern(3u << 20);
      if (r.target == "/big") return UpstreamServer::ok(big, "Cache-Control: max-age=60\r\n");
      if (r.target == "/big-chunked") {
        std::string out =
            "HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\nTransfer-Encoding: chunked\r\n\r\n";
        for (std::size_t at = 0; at < big.size(); at += 1u << 20) {
          char size[16];
          std::snprintf(size, sizeof size, "%zx\r\n", std::size_t{1u << 20});
          out += size + big.substr(at, 1u << 20) + "\r\n";
        }
        return out + "0\r\n\r\n";
      }
      if (r.target == "/big-truncated")
        return "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(big.size()) +
               "\r\nConnection: close\r\n\r\n" + big.substr(0, big.size() / 2);
      return UpstreamServer::ok("small", "Cache-Control: max-age=60\r\n");
    });
    herald_ = std::make_unique<HeraldProcess>(std::vector<std::string>{
        "--log-level", "warn", "--threads", "2", "--upstream", upstream_->url()});
  }
  std::unique_ptr<UpstreamServer> upstream_;
  std::unique_ptr<HeraldProcess> herald_;
};

TEST_F(ProxyStream, ALargeBodyIsStreamedWithItsLengthAndNotStored) {
  auto a = fetch(herald_->port(), "/big");
  EXPECT_EQ(a.status, 200u);
  EXPECT_EQ(a.header("content-length"), std::to_string(3u << 20));
  EXPECT_TRUE(a.body == pattern(3u << 20)) << a.body.size();
  EXPECT_NE(a.cache_status().find("detail=too-large"), std::string::npos) << a.cache_status();
  auto b = fetch(herald_->port(), "/big");
  EXPECT_TRUE(b.body == a.body);
  EXPECT_EQ(upstream_->count("/big"), 2u);
  // The HEAD of it: the length, no body.
  auto h = fetch(herald_->port(), "/big", {}, http::verb::head);
  EXPECT_EQ(h.status, 200u);
  EXPECT_TRUE(h.body.empty());
}

TEST_F(ProxyStream, ALargeChunkedBodyGoesOutChunked) {
  auto a = fetch(herald_->port(), "/big-chunked");
  EXPECT_EQ(a.status, 200u);
  EXPECT_EQ(a.header("transfer-encoding"), "chunked");
  EXPECT_TRUE(a.body == pattern(3u << 20)) << a.body.size();
  // The connection stays usable: small answers are still cached.
  fetch(herald_->port(), "/small");
  EXPECT_TRUE(fetch(herald_->port(), "/small").cache_status().starts_with("herald; hit"));
}

TEST_F(ProxyStream, AnAppThatStopsHalfWayEndsTheAnswerShort) {
  EXPECT_ANY_THROW(fetch(herald_->port(), "/big-truncated"));  // short, then closed
  EXPECT_EQ(fetch(herald_->port(), "/healthz").status, 200u);
  EXPECT_EQ(fetch(herald_->port(), "/small").body, "small");
}

}  // namespace
}  // namespace herald::test
