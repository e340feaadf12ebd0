// RouteTable: pattern matching with captures, method filters, validation of bad
// rules, and tag templates.
#include "proxy/core/route_table.hpp"
#include "proxy/core/storage_decision.hpp"

#include <gtest/gtest.h>

namespace herald::proxy {
namespace {

RouteRule rule(std::string match, std::vector<std::string> methods = {},
               std::vector<std::string> tags = {}) {
  RouteRule r;
  r.match = std::move(match);
  r.methods = std::move(methods);
  r.tags = std::move(tags);
  return r;
}

TEST(RouteTable, Matching) {
  RouteTable t({rule("/api/products/{id}", {"GET"}), rule("/api/orders", {"POST"}),
                rule("/static/**"), rule("/a/*/c"), rule("/")});
  struct Case {
    const char* method;
    const char* path;
    int rule;  // index of the matching rule, -1: none
  };
  const std::vector<Case> cases = {
      {"GET", "/api/products/42", 0}, {"PUT", "/api/products/42", -1},
      {"GET", "/api/products/", -1},  {"GET", "/api/products/42/x", -1},
      {"GET", "/api/products", -1},   {"POST", "/api/orders", 1},
      {"GET", "/api/orders", -1},     {"GET", "/static", 2},
      {"GET", "/static/a/b/c.js", 2}, {"GET", "/a/b/c", 3},
      {"GET", "/a/b/d", -1},          {"GET", "/", 4},
      {"GET", "/other", -1},
  };
  const std::vector<std::string> matches = {"/api/products/{id}", "/api/orders", "/static/**",
                                            "/a/*/c", "/"};
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string(c.method) + " " + c.path);
    auto m = t.match(c.method, c.path);
    if (c.rule < 0) {
      EXPECT_FALSE(m.has_value());
    } else {
      ASSERT_TRUE(m.has_value());
      EXPECT_EQ(m->rule->match, matches[static_cast<std::size_t>(c.rule)]);
    }
  }
  auto m = t.match("GET", "/api/products/42");
  ASSERT_TRUE(m);
  ASSERT_EQ(m->captures.size(), 1u);
  EXPECT_EQ(m->captures[0].first, "id");
  EXPECT_EQ(m->captures[0].second, "42");
}

TEST(RouteTable, FirstMatchWins) {
  RouteTable t({rule("/p/{id}", {}, {"first"}), rule("/p/1", {}, {"second"})});
  EXPECT_EQ(t.match("GET", "/p/1")->rule->tags[0], "first");
  EXPECT_FALSE(RouteTable{}.match("GET", "/p/1"));
}

TEST(RouteTable, Validation) {
  EXPECT_FALSE(RouteTable::validate({rule("/a/{id}/**", {"GET"}, {"x:{id}"})}));
  struct Case {
    RouteRule r;
    const char* why;
  };
  const std::vector<Case> cases = {
      {rule("api"), "must start with '/'"},
      {rule(""), "must start with '/'"},
      {rule("/**/a"), "** must be the last"},
      {rule("/{id}/{id}"), "captured twice"},
      {rule("/a{id}"), "bad segment"},
      {rule("/{}"), "bad segment"},
      {rule("/{a-b}"), "bad segment"},
      {rule("/x*"), "bad segment"},
      {rule("/a", {"get"}), "bad method"},
      {rule("/a", {""}), "bad method"},
      {rule("/a/{id}", {}, {"p:{name}"}), "is not captured"},
      {rule("/a/{id}", {}, {"p:{id"}), "unclosed"},
      {rule("/a", {}, {"p:}"}), "stray"},
      {[] {
         auto r = rule("/q");
         r.ignore_query = {"a*b"};
         return r;
       }(),
       "bad ignore_query"},
      {[] {
         auto r = rule("/q");
         r.ignore_query = {"*"};
         return r;
       }(),
       "bad ignore_query"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.r.match);
    auto why = RouteTable::validate({rule("/ok"), c.r});
    ASSERT_TRUE(why.has_value());
    EXPECT_NE(why->find("route #2: "), std::string::npos) << *why;
    EXPECT_NE(why->find(c.why), std::string::npos) << *why;
  }
}

TEST(RouteTable, TagTemplates) {
  RouteTable t({rule("/shops/{shop}/products/{id}")});
  auto m = t.match("GET", "/shops/s1/products/42");
  ASSERT_TRUE(m);
  EXPECT_EQ(
      RouteTable::expand({"products", "product:{id}", "shop:{shop}:{id}", "product:{id}"}, *m),
      (std::vector<std::string>{"products", "product:42", "shop:s1:42"}));
  // A capture that makes a tag invalid (a ',' in the path) drops that tag only.
  auto odd = t.match("GET", "/shops/s1/products/a,b");
  ASSERT_TRUE(odd);
  EXPECT_EQ(RouteTable::expand({"product:{id}", "products"}, *odd),
            (std::vector<std::string>{"products"}));
}

TEST(RouteTable, RouteTtlAndTagsInTheStorageDecision) {
  ResponseRules rules;
  rules.default_ttl_s = 30;
  rules.extra_tags = {"products", "bad tag"};
  auto d = decide_storage(200, {{"Surrogate-Key", "a"}}, 1'700'000'000, rules);
  ASSERT_TRUE(d.store);
  EXPECT_EQ(d.fresh_ms, 30'000);
  EXPECT_EQ(d.tags, (std::vector<std::string>{"a", "products"}));
  // The app's explicit headers win over the route's ttl; no-store still refuses.
  EXPECT_EQ(decide_storage(200, {{"Cache-Control", "max-age=5"}}, 0, rules).fresh_ms, 5'000);
  EXPECT_FALSE(decide_storage(200, {{"Cache-Control", "no-store"}}, 0, rules).store);
  // 404 / 410: negative_ttl when set, else ttl.
  EXPECT_EQ(decide_storage(404, {}, 0, rules).fresh_ms, 30'000);
  rules.negative_ttl_s = 5;
  EXPECT_EQ(decide_storage(404, {}, 0, rules).fresh_ms, 5'000);
  EXPECT_EQ(decide_storage(410, {}, 0, rules).fresh_ms, 5'000);
  EXPECT_EQ(decide_storage(200, {}, 0, rules).fresh_ms, 30'000);
}

}  // namespace
}  // namespace herald::proxy
