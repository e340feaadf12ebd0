// FreshAnswerTable (the answers shards serve without the cache's thread) and
// plan_request (the one decision both the shards and the cache's thread use).
#include "proxy/fresh_answer_table.hpp"
#include "proxy/core/proxy_key.hpp"
#include "proxy/core/request_plan.hpp"

#include <gtest/gtest.h>

namespace herald::proxy {
namespace {

std::shared_ptr<const FreshCopy> copy_of(std::uint64_t generation, std::int64_t stored_ms,
                                         std::int64_t fresh_ms, std::size_t body = 10) {
  StoredResponse s;
  s.stored_ms = stored_ms;
  s.fresh_ms = fresh_ms;
  s.status = 200;
  s.head = "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body) + "\r\n";
  s.body = std::string(body, 'x');
  auto c = std::make_shared<FreshCopy>();
  c->value = std::make_shared<const std::string>(s.encode());
  c->view = *StoredResponseView::parse(*c->value);
  c->generation = generation;
  return c;
}

TEST(FreshAnswerTable, ServesACopyWhileFreshAndItsGenerationHolds) {
  FreshAnswerTable t;
  t.put("h/a", copy_of(7, 1'000, 5'000));
  EXPECT_TRUE(t.find("h/a", 7, 1'000));
  EXPECT_TRUE(t.find("h/a", 7, 5'999));
  EXPECT_FALSE(t.find("h/b", 7, 2'000));
  EXPECT_FALSE(t.find("h/a", 8, 2'000)) << "an invalidation moved the generation";
  EXPECT_FALSE(t.find("h/a", 7, 2'000)) << "and the copy is gone for good";
  t.put("h/a", copy_of(7, 1'000, 5'000));
  EXPECT_FALSE(t.find("h/a", 7, 6'000)) << "stale by its own envelope";
  EXPECT_EQ(t.size(), 0u);
}

TEST(FreshAnswerTable, ANewerGenerationEmptiesTheStripeAndOlderCopiesAreRefused) {
  FreshAnswerTable t;
  t.put("h/a", copy_of(3, 0, 60'000));
  t.put("h/a", copy_of(4, 0, 60'000));
  EXPECT_TRUE(t.find("h/a", 4, 1));
  t.put("h/a", copy_of(3, 0, 60'000));  // read before the invalidation, put after it
  EXPECT_TRUE(t.find("h/a", 4, 1));
  EXPECT_FALSE(t.find("h/a", 3, 1));
}

TEST(FreshAnswerTable, HoldsAtMostItsBytes) {
  FreshAnswerTable t(16 * 4096);  // 4 KiB per stripe
  for (int i = 0; i < 1000; ++i) t.put("h/" + std::to_string(i), copy_of(1, 0, 60'000, 1000));
  EXPECT_LE(t.size(), 16u * 4u);
  t.put("h/big", copy_of(1, 0, 60'000, 8000));  // larger than a stripe: not kept
  EXPECT_FALSE(t.find("h/big", 1, 1));
}

TEST(RequestPlan, CacheableGetHasACanonicalUrl) {
  RouteTable routes;
  auto p = plan_request("GET", "/p?b=1&a=2", {{"Host", "Shop.example"}}, routes);
  EXPECT_FALSE(p.bypass);
  ASSERT_TRUE(p.canonical);
  EXPECT_EQ(*p.canonical, "shop.example/p?a=2&b=1");
  // For PURGE: the URL's own tag and one per directory ("shop.example/").
  EXPECT_EQ(p.rules.extra_tags.size(), 2u);
  EXPECT_EQ(directory_tags("h/a/b/c?x"),
            (std::vector<std::string>{directory_tag("h/"), directory_tag("h/a/"),
                                      directory_tag("h/a/b/")}));
  EXPECT_EQ(directory_tags("h/1/2/3/4/5/6").size(), kPurgeDirectoryDepth);
  EXPECT_FALSE(p.purge);
}

TEST(RequestPlan, BypassReasons) {
  RouteTable routes;
  EXPECT_EQ(plan_request("POST", "/p", {{"Host", "h"}}, routes).bypass, "method");
  EXPECT_EQ(plan_request("GET", "/p", {{"Host", "h"}, {"Cookie", "a=1"}}, routes).bypass, "cookie");
  EXPECT_EQ(plan_request("GET", "/p", {{"Host", "h/x"}}, routes).bypass, "host");
  EXPECT_EQ(plan_request("GET", "/p", {{"Host", "h"}, {"Host", "g"}}, routes).bypass, "host");
  EXPECT_EQ(plan_request("GET", "http://h/p", {{"Host", "h"}}, routes).bypass, "target");
  auto purge = plan_request("PURGE", "/p", {{"Host", "h"}}, routes);
  EXPECT_TRUE(purge.purge);
  EXPECT_FALSE(purge.bypass);
  EXPECT_TRUE(purge.canonical);
  EXPECT_FALSE(plan_request("PURGE", "/p", {{"Host", "h y"}}, routes).canonical);
}

TEST(RequestPlan, RouteRulesApply) {
  RouteRule off;
  off.match = "/live/**";
  off.cache = false;
  RouteRule tagged;
  tagged.match = "/p/{id}";
  tagged.tags = {"product:{id}"};
  tagged.ttl = std::chrono::seconds(30);
  tagged.ignore_query = {"utm_*"};
  RouteTable routes({off, tagged});
  EXPECT_EQ(plan_request("GET", "/live/x", {{"Host", "h"}}, routes).bypass, "route");
  auto p = plan_request("GET", "/p/7?utm_source=x", {{"Host", "h"}}, routes);
  ASSERT_TRUE(p.canonical);
  EXPECT_EQ(*p.canonical, "h/p/7?");
  EXPECT_EQ(p.rules.default_ttl_s, 30);
  ASSERT_EQ(p.rules.extra_tags.size(), 4u);  // product:7, the URL's, h/ and h/p/
  EXPECT_EQ(p.rules.extra_tags[0], "product:7");
}

TEST(RequestPlan, KeyedCookiesAndCredentialsJoinTheKey) {
  EXPECT_EQ(kept_cookies("a=1; currency=EUR;b=2;  lang=fr ", {"lang", "currency"}),
            "currency=EUR; lang=fr");
  EXPECT_EQ(kept_cookies("", {"a"}), "");
  EXPECT_EQ(kept_cookies(";;=;a", {"a"}), "a");
  RouteRule personal;
  personal.match = "/me/**";
  personal.key_authorization = true;
  personal.key_cookies = {"currency"};
  RouteTable routes({personal});
  auto a = plan_request("GET", "/me/x", {{"Host", "h"}, {"Authorization", "Bearer a"}}, routes);
  auto b = plan_request("GET", "/me/x", {{"Host", "h"}, {"Authorization", "Bearer b"}}, routes);
  ASSERT_TRUE(a.canonical && b.canonical);
  EXPECT_FALSE(a.bypass);
  EXPECT_NE(*a.canonical, *b.canonical);
  EXPECT_EQ(a.rules.extra_tags, b.rules.extra_tags);  // one URL for PURGE
  auto c1 =
      plan_request("GET", "/me/x", {{"Host", "h"}, {"Cookie", "sid=1; currency=EUR"}}, routes);
  auto c2 =
      plan_request("GET", "/me/x", {{"Host", "h"}, {"Cookie", "currency=EUR; sid=2"}}, routes);
  EXPECT_EQ(*c1.canonical, *c2.canonical);
  // Without the rule, both still bypass.
  EXPECT_EQ(plan_request("GET", "/x", {{"Host", "h"}, {"Authorization", "a"}}, routes).bypass,
            "authorization");
}

}  // namespace
}  // namespace herald::proxy
