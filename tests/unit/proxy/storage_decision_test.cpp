// RFC 9111 shared-cache rules: which requests bypass, which responses are stored and
// for how long. Table-driven.
#include "proxy/core/storage_decision.hpp"
#include "proxy/core/http_date.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace herald::proxy {
namespace {

constexpr std::int64_t kNow = 1'700'000'000;

TEST(RequestBypass, Table) {
  struct Case {
    const char* method;
    HeaderList headers;
    const char* reason;  // nullptr: may use the cache
  };
  const std::vector<Case> cases = {
      {"GET", {}, nullptr},
      {"HEAD", {{"Accept", "*/*"}}, nullptr},
      {"POST", {}, "method"},
      {"PUT", {}, "method"},
      {"get", {}, "method"},  // methods are case-sensitive
      {"GET", {{"Authorization", "Bearer x"}}, "authorization"},
      {"GET", {{"cookie", "sid=1"}}, "cookie"},
      {"GET", {{"Range", "bytes=0-1"}}, "range"},
      {"GET", {{"Cache-Control", "no-cache"}}, nullptr},  // client directives ignored
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.method);
    auto r = request_bypass(c.method, c.headers);
    if (c.reason == nullptr) {
      EXPECT_FALSE(r.has_value()) << *r;
    } else {
      ASSERT_TRUE(r.has_value());
      EXPECT_EQ(*r, c.reason);
    }
  }
  RequestRules rules;
  rules.cache_authorized = true;
  rules.cache_cookies = true;
  EXPECT_FALSE(request_bypass("GET", {{"Authorization", "x"}, {"Cookie", "y"}}, rules));
}

struct StoreCase {
  const char* name;
  unsigned status;
  HeaderList headers;
  bool store;
  const char* reason;
  std::int64_t fresh_ms, swr_ms, sie_ms;
};

TEST(DecideStorage, Table) {
  const std::string date = format_http_date(kNow);
  const std::string date_100s_ago = format_http_date(kNow - 100);
  const std::string in_60s = format_http_date(kNow + 60);
  const std::vector<StoreCase> cases = {
      {"max-age", 200, {{"Cache-Control", "max-age=60"}}, true, "", 60000, 0, 0},
      {"s-maxage wins over max-age",
       200,
       {{"Cache-Control", "max-age=60, s-maxage=5"}},
       true,
       "",
       5000,
       0,
       0},
      {"surrogate wins over s-maxage",
       200,
       {{"Cache-Control", "s-maxage=5"}, {"Surrogate-Control", "max-age=300"}},
       true,
       "",
       300000,
       0,
       0},
      {"expires minus date", 200, {{"Date", date}, {"Expires", in_60s}}, true, "", 60000, 0, 0},
      {"expires without date uses now", 200, {{"Expires", in_60s}}, true, "", 60000, 0, 0},
      {"invalid expires is stale", 200, {{"Expires", "0"}}, false, "stale", 0, 0, 0},
      {"max-age beats expires",
       200,
       {{"Cache-Control", "max-age=10"}, {"Expires", in_60s}},
       true,
       "",
       10000,
       0,
       0},
      {"no lifetime", 200, {{"Last-Modified", date}}, false, "no-lifetime", 0, 0, 0},
      {"no-store", 200, {{"Cache-Control", "max-age=60, no-store"}}, false, "no-store", 0, 0, 0},
      {"surrogate no-store",
       200,
       {{"Cache-Control", "max-age=60"}, {"Surrogate-Control", "no-store"}},
       false,
       "no-store",
       0,
       0,
       0},
      {"private", 200, {{"Cache-Control", "private, max-age=60"}}, false, "private", 0, 0, 0},
      {"qualified private",
       200,
       {{"Cache-Control", "private=\"x\", s-maxage=60"}},
       false,
       "private",
       0,
       0,
       0},
      {"no-cache", 200, {{"Cache-Control", "no-cache, max-age=60"}}, false, "no-cache", 0, 0, 0},
      {"surrogate overrides no-cache",
       200,
       {{"Cache-Control", "no-cache, must-revalidate"},
        {"Surrogate-Control", "max-age=30, stale-if-error=5"}},
       true,
       "",
       30000,
       0,
       5000},
      {"surrogate does not override private",
       200,
       {{"Cache-Control", "private"}, {"Surrogate-Control", "max-age=30"}},
       false,
       "private",
       0,
       0,
       0},
      {"set-cookie",
       200,
       {{"Cache-Control", "max-age=60"}, {"Set-Cookie", "a=b"}},
       false,
       "set-cookie",
       0,
       0,
       0},
      {"vary star",
       200,
       {{"Cache-Control", "max-age=60"}, {"Vary", "*"}},
       false,
       "vary-star",
       0,
       0,
       0},
      {"500 not stored", 500, {{"Cache-Control", "max-age=60"}}, false, "status", 0, 0, 0},
      {"206 not stored", 206, {{"Cache-Control", "max-age=60"}}, false, "status", 0, 0, 0},
      {"404 stored", 404, {{"Cache-Control", "max-age=10"}}, true, "", 10000, 0, 0},
      {"swr with s-maxage",
       200,
       {{"Cache-Control", "s-maxage=1, stale-while-revalidate=59"}},
       true,
       "",
       1000,
       59000,
       0},
      {"sie", 200, {{"Cache-Control", "max-age=5, stale-if-error=300"}}, true, "", 5000, 0, 300000},
      {"surrogate windows win",
       200,
       {{"Cache-Control", "max-age=5, stale-while-revalidate=1"},
        {"Surrogate-Control", "max-age=10, stale-while-revalidate=20"}},
       true,
       "",
       10000,
       20000,
       0},
      {"must-revalidate drops windows",
       200,
       {{"Cache-Control", "max-age=5, must-revalidate, stale-if-error=60"}},
       true,
       "",
       5000,
       0,
       0},
      {"proxy-revalidate drops windows",
       200,
       {{"Cache-Control", "s-maxage=5, proxy-revalidate, stale-while-revalidate=60"}},
       true,
       "",
       5000,
       0,
       0},
      {"age header", 200, {{"Cache-Control", "max-age=60"}, {"Age", "20"}}, true, "", 40000, 0, 0},
      {"date does not age (Age does)",
       200,
       {{"Cache-Control", "max-age=160"}, {"Date", date_100s_ago}},
       true,
       "",
       160000,
       0,
       0},
      {"stale on arrival",
       200,
       {{"Cache-Control", "max-age=60, stale-while-revalidate=600"}, {"Age", "60"}},
       false,
       "stale",
       0,
       0,
       0},
      {"bad age ignored",
       200,
       {{"Cache-Control", "max-age=60"}, {"Age", "x"}},
       true,
       "",
       60000,
       0,
       0},
      {"max-age=0", 200, {{"Cache-Control", "max-age=0"}}, false, "stale", 0, 0, 0},
      {"split header lines",
       200,
       {{"Cache-Control", "public"}, {"cache-control", "max-age=7"}},
       true,
       "",
       7000,
       0,
       0},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto d = decide_storage(c.status, c.headers, kNow);
    EXPECT_EQ(d.store, c.store);
    EXPECT_EQ(d.reason, c.reason);
    if (c.store) {
      EXPECT_EQ(d.fresh_ms, c.fresh_ms);
      EXPECT_EQ(d.swr_ms, c.swr_ms);
      EXPECT_EQ(d.sie_ms, c.sie_ms);
    }
  }
}

TEST(DecideStorage, TagsAndVary) {
  auto d = decide_storage(200,
                          {{"Cache-Control", "max-age=60"},
                           {"Surrogate-Key", "products product:42"},
                           {"Cache-Tag", "inventory,products"},
                           {"Vary", "Accept-Encoding"}},
                          kNow);
  ASSERT_TRUE(d.store);
  EXPECT_EQ(d.tags, (std::vector<std::string>{"products", "product:42", "inventory"}));
  EXPECT_EQ(d.vary.names, (std::vector<std::string>{"accept-encoding"}));
}

TEST(DecideStorage, SetCookieAllowedByRule) {
  ResponseRules rules;
  rules.strip_set_cookie = true;
  EXPECT_TRUE(
      decide_storage(200, {{"Cache-Control", "max-age=60"}, {"Set-Cookie", "a=b"}}, kNow, rules)
          .store);
}

}  // namespace
}  // namespace herald::proxy
