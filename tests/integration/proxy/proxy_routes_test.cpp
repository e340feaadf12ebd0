// [[route]] rules end to end: a route's ttl caches answers that give no lifetime, its
// tag templates tag them, a successful write invalidates what its rule names (before
// the writer hears back), `cache = false` keeps a path out of the cache, `grace`
// serves stale copies while refreshing. Also the rest of the config file's proxy
// settings: the [upstream] table, route_prefix, and PURGE of a path prefix.
#include "integration/proxy/fetched.hpp"
#include "integration/proxy/upstream_server.hpp"
#include "support/eventually.hpp"
#include "support/herald_process.hpp"

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
      if (r.target.rfind("/personal/", 0) == 0) {
        auto field = [&](const char* name) {
          return r.headers.count(name) ? r.headers.at(name) : std::string("-");
        };
        return UpstreamServer::ok(
            "auth=" + field("authorization") + " cookie=" + field("cookie") + " " + n,
            "Set-Cookie: sid=" + n + "\r\n");
      }
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
    std::ofstream(file) << "route_prefix = \"/_herald\"\n[upstream]\nurl = \"" << upstream_->url()
                        << "\"\ntimeout = 10\nconnect_timeout = 2\n"
                        << R"(
[[route]]
match = "/personal/*"
ttl = 60
key_authorization = true
key_cookies = ["currency"]
strip_set_cookie = true

[[route]]
match = "/graceful/*"
ttl = 1
grace = 60

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
    herald_ =
        std::make_unique<HeraldProcess>(std::vector<std::string>{"--log-level", "warn", "--threads",
                                                                 "2", "--config", file.string()},
                                        HeraldProcess::Options{.ready_path = "/_herald/readyz"});
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
  // Per-route metrics, labelled with the rule's pattern.
  const std::string m = get("/_herald/metrics").body;
  const std::string route = R"(herald_proxy_route_answers_total{route="/api/products/{id}",)";
  EXPECT_NE(m.find(route + R"(outcome="hit"} 2)" + "\n"), std::string::npos) << m;
  EXPECT_NE(m.find(route + R"(outcome="miss"} 3)" + "\n"), std::string::npos) << m;
  EXPECT_NE(m.find(route + R"(outcome="bypass"} 1)" + "\n"), std::string::npos) << m;
  EXPECT_NE(
      m.find(R"(herald_proxy_route_upstream_latency_seconds_count{route="/api/products/{id}"} 4)"),
      std::string::npos)
      << m;
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

TEST_F(ProxyRoutes, RoutesMayLetCredentialsAndCookiesIntoTheKey) {
  auto as = [&](const std::string& auth, const std::string& cookie) {
    std::map<std::string, std::string> h;
    if (!auth.empty()) h["Authorization"] = auth;
    if (!cookie.empty()) h["Cookie"] = cookie;
    return fetch(herald_->port(), "/personal/a", h);
  };
  auto alice = as("Bearer alice", "");
  EXPECT_EQ(alice.header("set-cookie"), "");  // stripped, so the answer could be stored
  EXPECT_NE(alice.cache_status().find("stored"), std::string::npos) << alice.cache_status();
  EXPECT_EQ(as("Bearer alice", "").body, alice.body);
  auto bob = as("Bearer bob", "");
  EXPECT_NE(bob.body, alice.body);  // one entry per credential
  EXPECT_EQ(bob.body.rfind("auth=Bearer bob cookie=- ", 0), 0u) << bob.body;

  // Only the keyed cookie reaches the app and the key; the others do neither.
  auto eur = as("", "session=s1; currency=EUR");
  EXPECT_EQ(eur.body.rfind("auth=- cookie=currency=EUR ", 0), 0u) << eur.body;
  EXPECT_EQ(as("", "currency=EUR; session=s2").body, eur.body);
  EXPECT_NE(as("", "currency=USD").body, eur.body);
  EXPECT_EQ(upstream_->count("/personal/a"), 4u);  // alice, bob, EUR, USD
}

TEST_F(ProxyRoutes, RoutePrefixMovesHeraldsRoutesAndLeavesTheNamesToTheApp) {
  auto app_health = get("/healthz");  // the app's own /healthz now
  EXPECT_EQ(upstream_->count("/healthz"), 1u);
  EXPECT_NE(app_health.body, R"({"status":"ok"})");
  EXPECT_EQ(get("/_herald/healthz").body, R"({"status":"ok"})");
  EXPECT_EQ(get("/_herald/readyz").status, 200u);
  EXPECT_NE(get("/_herald/metrics").body.find("herald_proxy_upstream_requests_total"),
            std::string::npos);
  auto inv = fetch(herald_->port(), "/_herald/api/invalidate", {}, http::verb::post,
                   R"({"tags":["products"]})");
  EXPECT_EQ(inv.status, 200u) << inv.body;
  get("/_herald/not-a-route");  // under the prefix but not Herald's: the app's
  EXPECT_EQ(upstream_->count("/_herald/not-a-route"), 1u);
  EXPECT_EQ(upstream_->count("/_herald/healthz"), 0u);
}

TEST_F(ProxyRoutes, GraceServesAStaleCopyWhileOneRequestRefreshesIt) {
  auto first = get("/graceful/1");
  EXPECT_EQ(upstream_->count("/graceful/1"), 1u);
  std::this_thread::sleep_for(std::chrono::milliseconds(1'100));  // ttl = 1 s passes
  auto stale = get("/graceful/1");
  EXPECT_EQ(stale.body, first.body);
  EXPECT_TRUE(stale.cache_status().starts_with("herald; hit; fwd=stale;")) << stale.cache_status();
  EXPECT_NE(stale.cache_status().find("detail=stale-while-revalidate"), std::string::npos)
      << stale.cache_status();
  EXPECT_TRUE(eventually([&] { return upstream_->count("/graceful/1") == 2u; }));
}

TEST_F(ProxyRoutes, PurgeOfAPathPrefixDropsEveryUrlUnderIt) {
  auto p1 = get("/api/products/1");
  auto p2 = get("/api/products/2?utm_source=x");
  auto m = get("/missing/1");
  auto purge = fetch(herald_->port(), "/api/products/*", {}, http::verb::purge);
  EXPECT_EQ(purge.status, 200u);
  EXPECT_EQ(purge.body, R"({"purged":true,"prefix":true})");
  EXPECT_NE(get("/api/products/1").body, p1.body);
  EXPECT_NE(get("/api/products/2").body, p2.body);
  EXPECT_EQ(get("/missing/1").body, m.body);  // outside the prefix: still cached
  EXPECT_EQ(upstream_->count("/missing/1"), 1u);
  // Directories are tagged 4 levels deep; a deeper prefix cannot be purged.
  EXPECT_EQ(fetch(herald_->port(), "/a/b/c/d/*", {}, http::verb::purge).status, 400u);
  EXPECT_EQ(upstream_->total(), 5u);  // PURGE never reaches the app
}

}  // namespace
}  // namespace herald::test
