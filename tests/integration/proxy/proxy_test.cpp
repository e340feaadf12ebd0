// The HTTP cache gateway end to end: `herald serve --upstream` (the real binary) in
// front of a real upstream server that counts its requests, over real sockets.
#include "integration/proxy/fetched.hpp"
#include "integration/proxy/upstream_server.hpp"
#include "support/eventually.hpp"
#include "support/herald_process.hpp"
#include "support/test_clients.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <set>

namespace herald::test {
namespace {

/// The app: each path answers with its own caching headers; the body says how many
/// requests that path has seen, so a test can tell a cached answer from a new one.
std::string app(const UpstreamRequest& r, std::atomic<int>& seq) {
  const std::string n = std::to_string(++seq);
  const std::string& t = r.target;
  auto has = [&](const char* p) { return t.rfind(p, 0) == 0; };
  if (has("/max-age")) return UpstreamServer::ok("v" + n, "Cache-Control: max-age=60\r\n");
  if (has("/short")) return UpstreamServer::ok("v" + n, "Cache-Control: max-age=1\r\n");
  if (has("/no-store"))
    return UpstreamServer::ok("v" + n, "Cache-Control: no-store, max-age=60\r\n");
  if (has("/private")) return UpstreamServer::ok("v" + n, "Cache-Control: private, max-age=60\r\n");
  if (has("/no-headers")) return UpstreamServer::ok("v" + n);
  if (has("/cookie"))
    return UpstreamServer::ok("v" + n,
                              "Cache-Control: max-age=60\r\nSet-Cookie: sid=" + n + "\r\n");
  if (has("/tagged"))
    return UpstreamServer::ok(
        "v" + n, "Cache-Control: s-maxage=60\r\nSurrogate-Key: products product:1\r\n");
  if (has("/cache-tag"))
    return UpstreamServer::ok("v" + n,
                              "Cache-Control: max-age=60\r\nCache-Tag: orders, order:9\r\n");
  if (has("/vary"))
    return UpstreamServer::ok(
        "v" + n + " " +
            (r.headers.count("accept-encoding") ? r.headers.at("accept-encoding") : "-"),
        "Cache-Control: max-age=60\r\nVary: Accept-Encoding\r\n");
  if (has("/etag"))
    return UpstreamServer::ok("v" + n,
                              "Cache-Control: max-age=60\r\nETag: \"e1\"\r\n"
                              "Last-Modified: Sun, 06 Nov 1994 08:49:37 GMT\r\n");
  if (has("/revalidate")) {
    if (r.headers.count("if-none-match") && r.headers.at("if-none-match") == "\"r1\"")
      return "HTTP/1.1 304 Not Modified\r\nCache-Control: max-age=60\r\nETag: \"r1\"\r\n"
             "X-Revalidated: " +
             n + "\r\n\r\n";
    return UpstreamServer::ok("v" + n, "Cache-Control: max-age=1\r\nETag: \"r1\"\r\n");
  }
  if (has("/swr"))
    return UpstreamServer::ok("v" + n, "Cache-Control: s-maxage=1, stale-while-revalidate=60\r\n");
  if (has("/sie"))
    return UpstreamServer::ok("v" + n, "Cache-Control: max-age=1, stale-if-error=60\r\n");
  if (has("/surrogate"))
    return UpstreamServer::ok("v" + n,
                              "Cache-Control: no-cache\r\nSurrogate-Control: max-age=60\r\n");
  if (has("/host"))
    return UpstreamServer::ok(
        "host=" +
            (r.headers.count("x-forwarded-host") ? r.headers.at("x-forwarded-host")
                                                 : std::string("-")) +
            " " + n,
        "Cache-Control: max-age=60\r\n");
  if (has("/slow-cookie")) {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the app is slow
    return UpstreamServer::ok("v" + n,
                              "Cache-Control: max-age=60\r\nSet-Cookie: sid=" + n + "\r\n");
  }
  if (has("/slow")) {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the app is slow
    return UpstreamServer::ok("v" + n, "Cache-Control: max-age=60\r\n");
  }
  if (has("/bad-status")) return "HTTP/1.1 2OO OK\r\nContent-Length: 2\r\n\r\nhi";
  if (has("/truncated"))
    return "HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\nContent-Length: 100\r\n"
           "Connection: close\r\n\r\nonly ten b";
  if (has("/too-long"))
    return "HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\nContent-Length: 2\r\n\r\nhiEXTRA";
  if (has("/never-ends")) return UpstreamServer::kHang;
  if (has("/close")) return UpstreamServer::kClose;
  if (has("/error")) return "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\n\r\ndown";
  return UpstreamServer::ok("plain " + n);
}

class Proxy : public ::testing::Test {
 protected:
  void SetUp() override {
    upstream_ = std::make_unique<UpstreamServer>([this](const UpstreamRequest& r) {
      if (r.target == "/held") {
        held_.wait();  // until the test lets it answer
        return UpstreamServer::ok("v" + std::to_string(++seq_),
                                  "Cache-Control: max-age=60\r\nSurrogate-Key: held\r\n");
      }
      return app(r, seq_);
    });
    herald_ = std::make_unique<HeraldProcess>(
        std::vector<std::string>{"--log-level", "warn", "--threads", "2", "--upstream",
                                 upstream_->url(), "--upstream-timeout", "1"});
  }
  Fetched get(const std::string& target, std::map<std::string, std::string> h = {}) {
    return fetch(herald_->port(), target, std::move(h));
  }
  void TearDown() override {
    release();  // an upstream thread may still wait
    herald_.reset();
    upstream_.reset();
  }
  void release() {
    if (!released_.exchange(true)) gate_.set_value();
  }
  std::atomic<int> seq_{0};
  std::promise<void> gate_;
  std::shared_future<void> held_{gate_.get_future().share()};
  std::atomic<bool> released_{false};
  std::unique_ptr<UpstreamServer> upstream_;
  std::unique_ptr<HeraldProcess> herald_;
};

TEST_F(Proxy, MissThenHitWithAgeAndCacheStatus) {
  auto a = get("/max-age");
  EXPECT_EQ(a.status, 200u);
  EXPECT_EQ(a.cache_status(), "herald; fwd=uri-miss; fwd-status=200; stored");
  auto b = get("/max-age");
  EXPECT_EQ(b.body, a.body);
  EXPECT_TRUE(b.cache_status().starts_with("herald; hit; ttl=")) << b.cache_status();
  EXPECT_FALSE(b.header("age").empty());
  EXPECT_EQ(upstream_->count("/max-age"), 1u);
  // HEAD shares the entry (method-independent key), with no body.
  auto h = fetch(herald_->port(), "/max-age", {}, http::verb::head);
  EXPECT_EQ(h.status, 200u);
  EXPECT_EQ(h.header("content-length"), std::to_string(a.body.size()));
  EXPECT_EQ(upstream_->count("/max-age"), 1u);
}

TEST_F(Proxy, QueryOrderIsOneEntry) {
  get("/max-age?b=2&a=1");
  auto b = get("/max-age?a=1&b=2");
  EXPECT_TRUE(b.cache_status().starts_with("herald; hit")) << b.cache_status();
  EXPECT_EQ(upstream_->total(), 1u);
}

TEST_F(Proxy, NotStoredAnswersGoToTheUpstreamEveryTime) {
  for (const char* path : {"/no-store", "/private", "/no-headers", "/cookie"}) {
    SCOPED_TRACE(path);
    auto a = get(path);
    auto b = get(path);
    EXPECT_NE(a.body, b.body);
    EXPECT_EQ(upstream_->count(path), 2u);
    EXPECT_EQ(b.cache_status().find("hit"), std::string::npos) << b.cache_status();
  }
  EXPECT_EQ(get("/cookie").header("set-cookie").substr(0, 4), "sid=");
}

TEST_F(Proxy, AuthorizationAndCookieRequestsBypass) {
  get("/max-age");  // cached now
  auto a = get("/max-age", {{"Authorization", "Bearer t"}});
  EXPECT_EQ(a.cache_status(), "herald; fwd=bypass; fwd-status=200; detail=authorization");
  auto c = get("/max-age", {{"Cookie", "sid=1"}});
  EXPECT_EQ(c.cache_status(), "herald; fwd=bypass; fwd-status=200; detail=cookie");
  EXPECT_EQ(upstream_->count("/max-age"), 3u);
  EXPECT_EQ(upstream_->last("/max-age").headers.at("cookie"), "sid=1");
}

TEST_F(Proxy, SurrogateControlWinsAndIsNotShownToClients) {
  auto a = get("/surrogate");  // Cache-Control: no-cache for browsers, 60 s for Herald
  auto b = get("/surrogate");
  EXPECT_EQ(a.body, b.body);
  EXPECT_EQ(upstream_->count("/surrogate"), 1u);
  EXPECT_EQ(b.header("surrogate-control"), "");
  EXPECT_EQ(b.header("cache-control"), "no-cache");
}

TEST_F(Proxy, ExpiresAfterMaxAge) {
  auto a = get("/short");
  ASSERT_EQ(upstream_->count("/short"), 1u);
  // Within the second: a hit. Then the entry expires and the upstream is asked again.
  EXPECT_TRUE(eventually([&] { return get("/short").body != a.body; }));
  EXPECT_EQ(upstream_->count("/short"), 2u);
}

TEST_F(Proxy, VarySelectsVariants) {
  auto gz = get("/vary", {{"Accept-Encoding", "gzip"}});
  auto br = get("/vary", {{"Accept-Encoding", "br"}});
  EXPECT_NE(gz.body, br.body);
  EXPECT_EQ(upstream_->count("/vary"), 2u);
  auto gz2 = get("/vary", {{"Accept-Encoding", "gzip"}});
  EXPECT_EQ(gz2.body, gz.body);
  EXPECT_TRUE(gz2.cache_status().starts_with("herald; hit"));
  auto br2 = get("/vary", {{"Accept-Encoding", "br"}});
  EXPECT_EQ(br2.body, br.body);
  EXPECT_EQ(upstream_->count("/vary"), 2u);
}

TEST_F(Proxy, ConditionalRequestsAnswered304FromTheCache) {
  get("/etag");
  auto a = get("/etag", {{"If-None-Match", "\"e1\""}});
  EXPECT_EQ(a.status, 304u);
  EXPECT_EQ(a.header("etag"), "\"e1\"");
  EXPECT_TRUE(a.body.empty());
  auto b = get("/etag", {{"If-None-Match", "W/\"other\""}});
  EXPECT_EQ(b.status, 200u);
  auto c = get("/etag", {{"If-Modified-Since", "Sun, 06 Nov 1994 08:49:37 GMT"}});
  EXPECT_EQ(c.status, 304u);
  auto d = get("/etag", {{"If-Modified-Since", "Sat, 05 Nov 1994 08:49:37 GMT"}});
  EXPECT_EQ(d.status, 200u);
  EXPECT_EQ(upstream_->count("/etag"), 1u);
  // The upstream never saw the client's conditionals (a cache fill needs the body).
  EXPECT_EQ(upstream_->last("/etag").headers.count("if-none-match"), 0u);
}

TEST_F(Proxy, StaleWhileRevalidateAnswersAtOnceAndRefreshesOnce) {
  auto a = get("/swr");
  Fetched stale;
  ASSERT_TRUE(eventually([&] {
    stale = get("/swr");
    return stale.cache_status().find("stale-while-revalidate") != std::string::npos;
  }));
  EXPECT_EQ(stale.body, a.body);                                        // the old answer, at once
  EXPECT_TRUE(eventually([&] { return get("/swr").body != a.body; }));  // refreshed
  EXPECT_EQ(upstream_->count("/swr"), 2u);
}

TEST_F(Proxy, StaleIfErrorWhenTheUpstreamIsDown) {
  auto a = get("/sie");
  upstream_->stop();
  Fetched b;
  ASSERT_TRUE(eventually([&] {
    b = get("/sie");
    return b.cache_status().find("stale-if-error") != std::string::npos;
  }));
  EXPECT_EQ(b.status, 200u);
  EXPECT_EQ(b.body, a.body);
  // A path never cached has nothing stale to give: 502 with a clear body.
  auto c = get("/max-age");
  EXPECT_EQ(c.status, 502u);
  EXPECT_NE(c.body.find("upstream unreachable"), std::string::npos) << c.body;
}

TEST_F(Proxy, MalformedUpstreamAnswersAre502Or504AndNotCached) {
  auto bad = get("/bad-status");
  EXPECT_EQ(bad.status, 502u);
  EXPECT_NE(bad.body.find("malformed upstream header"), std::string::npos) << bad.body;
  auto cut = get("/truncated");
  EXPECT_EQ(cut.status, 502u);
  EXPECT_NE(cut.body.find("truncated"), std::string::npos) << cut.body;
  auto hang = get("/never-ends");  // --upstream-timeout 1
  EXPECT_EQ(hang.status, 504u);
  auto closed = get("/close");
  EXPECT_EQ(closed.status, 502u);
  // Nothing was cached: the upstream is asked again.
  get("/bad-status");
  get("/truncated");
  EXPECT_EQ(upstream_->count("/bad-status"), 2u);
  EXPECT_EQ(upstream_->count("/truncated"), 2u);
  // A Content-Length that lies short: the extra bytes never reach the next request.
  EXPECT_EQ(get("/too-long").body, "hi");
  // The pool recovers: normal requests work.
  for (int i = 0; i < 3; ++i) EXPECT_EQ(get("/plain").status, 200u);
  EXPECT_EQ(get("/max-age").status, 200u);
}

TEST_F(Proxy, UpstreamErrorStatusesPassThroughUncached) {
  auto a = get("/error");
  EXPECT_EQ(a.status, 503u);
  EXPECT_EQ(a.body, "down");
  get("/error");
  EXPECT_EQ(upstream_->count("/error"), 2u);
}

TEST_F(Proxy, ConcurrentColdRequestsMakeOneUpstreamRequest) {
  std::vector<std::future<Fetched>> all;
  for (int i = 0; i < 40; ++i)
    all.push_back(std::async(std::launch::async, [&] { return get("/slow"); }));
  std::string body;
  for (auto& f : all) {
    auto r = f.get();
    EXPECT_EQ(r.status, 200u);
    if (body.empty()) body = r.body;
    EXPECT_EQ(r.body, body);
  }
  EXPECT_EQ(upstream_->count("/slow"), 1u);
}

TEST_F(Proxy, ConcurrentRequestsNeverShareAnAnswerWithSetCookie) {
  std::vector<std::future<Fetched>> all;
  for (int i = 0; i < 8; ++i)
    all.push_back(std::async(std::launch::async, [&] { return get("/slow-cookie"); }));
  std::set<std::string> cookies;
  for (auto& f : all) {
    auto r = f.get();
    EXPECT_EQ(r.status, 200u);
    cookies.insert(r.header("set-cookie"));
  }
  EXPECT_EQ(cookies.size(), 8u);  // each client got its own session
  EXPECT_EQ(upstream_->count("/slow-cookie"), 8u);
}

TEST_F(Proxy, TagInvalidationDropsEntriesAndTellsSubscribers) {
  WsClient ws(herald_->port());
  ASSERT_TRUE(ws.connected());
  ws.next();  // connected frame
  ws.send(R"({"type":"subscribe","channel":"tag:product:1","id":1})");
  ASSERT_EQ(ws.next_of_type("reply", 10s).at("id").as_int64(), 1);

  auto a = get("/tagged");
  EXPECT_EQ(a.header("surrogate-key"), "");  // stripped from what clients see
  EXPECT_TRUE(get("/tagged").cache_status().starts_with("herald; hit"));
  get("/cache-tag");
  auto r = fetch(herald_->port(), "/api/invalidate", {{"Content-Type", "application/json"}},
                 http::verb::post, R"({"tags":["product:1"]})");
  EXPECT_EQ(r.status, 200u);
  auto frame = ws.next_of_type("invalidate", 10s);
  ASSERT_TRUE(frame.is_object());
  EXPECT_EQ(frame.at("tags").at(0).as_string(), "product:1");
  auto b = get("/tagged");
  EXPECT_NE(b.body, a.body);
  EXPECT_EQ(upstream_->count("/tagged"), 2u);
  // Cache-Tag (comma-separated) tags work the same way; other entries stay.
  fetch(herald_->port(), "/api/invalidate", {}, http::verb::post, R"({"tags":["order:9"]})");
  get("/cache-tag");
  EXPECT_EQ(upstream_->count("/cache-tag"), 2u);
  EXPECT_TRUE(get("/tagged").cache_status().starts_with("herald; hit"));
}

TEST_F(Proxy, AnAnswerOvertakenByAnInvalidationIsNotStored) {
  auto first = std::async(std::launch::async, [&] { return get("/held"); });
  ASSERT_TRUE(eventually([&] { return upstream_->count("/held") == 1; }));
  // The app is rendering; a write invalidates its tag meanwhile.
  auto inv =
      fetch(herald_->port(), "/api/invalidate", {}, http::verb::post, R"({"tags":["held"]})");
  EXPECT_EQ(inv.status, 200u);
  release();
  auto a = first.get();
  EXPECT_EQ(a.status, 200u);
  EXPECT_NE(a.cache_status().find("detail=invalidated"), std::string::npos) << a.cache_status();
  auto b = get("/held");  // not stored: asked again, and stored this time
  EXPECT_NE(b.body, a.body);
  EXPECT_TRUE(get("/held").cache_status().starts_with("herald; hit"));
  EXPECT_EQ(upstream_->count("/held"), 2u);
}

TEST_F(Proxy, StaleEntriesAreRevalidatedAndA304RefreshesThem) {
  auto a = get("/revalidate");
  EXPECT_EQ(a.body, "v1");
  Fetched b;
  ASSERT_TRUE(eventually([&] {
    b = get("/revalidate");
    return b.cache_status().find("fwd-status=304") != std::string::npos;
  }));
  EXPECT_EQ(b.status, 200u);
  EXPECT_EQ(b.body, "v1");                          // the stored body, sent once by the app
  EXPECT_FALSE(b.header("x-revalidated").empty());  // the 304's fields replace the stored ones
  EXPECT_EQ(upstream_->last("/revalidate").headers.at("if-none-match"), "\"r1\"");
  EXPECT_NE(b.cache_status().find("stored"), std::string::npos) << b.cache_status();
  EXPECT_TRUE(get("/revalidate").cache_status().starts_with("herald; hit"));
}

TEST_F(Proxy, PurgeDropsEveryVariantOfOneUrl) {
  get("/vary", {{"Accept-Encoding", "gzip"}});
  get("/vary", {{"Accept-Encoding", "br"}});
  get("/max-age");
  EXPECT_EQ(upstream_->count("/vary"), 2u);
  auto p = fetch(herald_->port(), "/vary", {}, http::verb::purge);
  EXPECT_EQ(p.status, 200u);
  EXPECT_EQ(p.body, R"({"purged":true})");
  EXPECT_EQ(upstream_->count("/vary"), 2u);  // PURGE is Herald's, not the app's
  get("/vary", {{"Accept-Encoding", "gzip"}});
  get("/vary", {{"Accept-Encoding", "br"}});
  EXPECT_EQ(upstream_->count("/vary"), 4u);
  EXPECT_TRUE(get("/max-age").cache_status().starts_with("herald; hit"));  // other URLs stay
}

TEST_F(Proxy, UnkeyedHeadersDoNotPoison) {
  auto evil = get("/host", {{"X-Forwarded-Host", "evil.example"},
                            {"X-Original-URL", "/admin"},
                            {"Forwarded", "host=evil.example"}});
  const std::string real = "127.0.0.1:" + std::to_string(herald_->port());
  EXPECT_EQ(evil.body.substr(0, evil.body.find(' ')), "host=" + real);
  EXPECT_EQ(upstream_->last("/host").headers.count("x-original-url"), 0u);
  EXPECT_EQ(upstream_->last("/host").headers.count("forwarded"), 0u);
  EXPECT_EQ(upstream_->last("/host").headers.at("x-forwarded-for"), "127.0.0.1");
  // An odd Host neither reads nor writes the cache.
  auto odd = get("/host", {{"Host", "evil.example/x"}});
  EXPECT_EQ(odd.cache_status().find("detail=host") != std::string::npos, true)
      << odd.cache_status();
  auto again = get("/host");
  EXPECT_EQ(again.body, evil.body);
  EXPECT_TRUE(again.cache_status().starts_with("herald; hit"));
}

TEST_F(Proxy, HeraldRoutesStayHeraldsAndWritesPassThrough) {
  EXPECT_EQ(get("/healthz").body, R"({"status":"ok"})");
  EXPECT_EQ(upstream_->total(), 0u);
  auto post = fetch(herald_->port(), "/api/orders", {}, http::verb::post, R"({"id":1})");
  EXPECT_EQ(post.status, 200u);
  EXPECT_EQ(post.cache_status(), "herald; fwd=method; fwd-status=200");
  EXPECT_EQ(upstream_->count("/api/orders"), 1u);
  EXPECT_EQ(upstream_->last("/api/orders").method, "POST");
  // The proxy's counters and upstream latency histogram on Herald's /metrics.
  auto m = get("/metrics").body;
  EXPECT_NE(m.find("herald_proxy_bypasses_total 1\n"), std::string::npos) << m;
  EXPECT_NE(m.find("herald_proxy_upstream_requests_total 1\n"), std::string::npos);
  EXPECT_NE(m.find("herald_proxy_upstream_latency_seconds_bucket{le=\"+Inf\"} 1\n"),
            std::string::npos);
  EXPECT_NE(m.find("herald_proxy_upstream_latency_seconds_count 1\n"), std::string::npos);
}

}  // namespace
}  // namespace herald::test
