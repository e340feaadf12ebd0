// [[route]] rules end to end: a route's ttl caches answers that give no lifetime, its
// tag templates tag them, a successful write invalidates what its rule names (before
// the writer hears back), and `cache = false` keeps a path out of the cache.
#include "integration/proxy/herald_process.hpp"
#include "integration/proxy/upstream_server.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace herald::test {
namespace {

class ProxyRoutes : public ::testing::Test {
 protected:
  void SetUp() override {
    upstream_ = std::make_unique<UpstreamServer>([this](const UpstreamRequest& r) {
      const std::string n = std::to_string(++seq_);
      if (r.method != "GET") return UpstreamServer::ok("written " + n);
      if (r.target == "/api/cart")
        return UpstreamServer::ok("cart " + n, "Cache-Control: max-age=60\r\n");
      if (r.target.rfind("/missing/", 0) == 0)
        return "HTTP/1.1 404 Not Found\r\nContent-Length: " + std::to_string(n.size()) +
               "\r\n\r\n" + n;
      return UpstreamServer::ok(r.target + " " + n);  // no caching headers at all
    });
    std::string templ = (std::filesystem::temp_directory_path() / "herald-routes-XXXXXX").string();
    dir_ = ::mkdtemp(templ.data());
    const auto file = dir_ / "herald.toml";
    std::ofstream(file) << "upstream = \"" << upstream_->url() << "\"\n"
                        << R"(
[[route]]
match = "/api/products/{id}"
ttl = 60
ignore_query = ["utm_*"]
tags = ["product:{id}"]
invalidate = ["product:{id}", "products"]

[[route]]
match = "/api/cart"
cache = false

[[route]]
match = "/missing/*"
negative_ttl = 60
)";
    herald_ = std::make_unique<HeraldProcess>(std::vector<std::string>{"--config", file.string()});
  }
  void TearDown() override {
    herald_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  Fetched get(const std::string& target) { return fetch(herald_->port(), target); }

  std::atomic<int> seq_{0};
  std::filesystem::path dir_;
  std::unique_ptr<UpstreamServer> upstream_;
  std::unique_ptr<HeraldProcess> herald_;
};

TEST_F(ProxyRoutes, TtlTagsAndWriteInvalidation) {
  auto p7 = get("/api/products/7");
  EXPECT_EQ(p7.cache_status(), "herald; fwd=uri-miss; fwd-status=200; stored");
  EXPECT_TRUE(get("/api/products/7").cache_status().starts_with("herald; hit"));
  auto p8 = get("/api/products/8");
  EXPECT_EQ(upstream_->total(), 2u);

  auto put = fetch(herald_->port(), "/api/products/7", {}, http::verb::put, "{}");
  EXPECT_EQ(put.status, 200u);
  EXPECT_EQ(upstream_->last("/api/products/7").method, "PUT");

  auto again = get("/api/products/7");  // product:7 was invalidated by the PUT
  EXPECT_NE(again.body, p7.body);
  EXPECT_EQ(upstream_->count("/api/products/7"), 3u);  // GET, PUT, GET
  EXPECT_EQ(get("/api/products/8").body, p8.body);     // product:8 untouched
  EXPECT_EQ(upstream_->count("/api/products/8"), 1u);
}

TEST_F(ProxyRoutes, IgnoredQueryParametersAndNegativeTtl) {
  auto a = get("/api/products/9?utm_source=mail");
  auto b = get("/api/products/9?utm_campaign=x");
  EXPECT_EQ(b.body, a.body);
  EXPECT_TRUE(b.cache_status().starts_with("herald; hit")) << b.cache_status();
  EXPECT_EQ(upstream_->count("/api/products/9?utm_source=mail"), 1u);  // sent as it came
  auto m = get("/missing/1");
  EXPECT_EQ(m.status, 404u);
  EXPECT_EQ(get("/missing/1").body, m.body);  // a 404 kept for negative_ttl
  EXPECT_EQ(upstream_->count("/missing/1"), 1u);
}

TEST_F(ProxyRoutes, CacheFalseKeepsAPathOut) {
  auto a = get("/api/cart");
  auto b = get("/api/cart");
  EXPECT_NE(a.body, b.body);
  EXPECT_EQ(b.cache_status(), "herald; fwd=bypass; fwd-status=200; detail=route");
  EXPECT_EQ(upstream_->count("/api/cart"), 2u);
  // Paths no rule matches keep the default rules: no lifetime, not stored.
  get("/other");
  get("/other");
  EXPECT_EQ(upstream_->count("/other"), 2u);
}

}  // namespace
}  // namespace herald::test
