// AccessPolicy: Origin rules (same-origin default, allow-list, "*"), API key and
// loopback rule, bearer parsing, anonymous identity when auth is off.
#include "gateway/access_policy.hpp"

#include <gtest/gtest.h>

namespace herald::gateway {
namespace {

TEST(AccessPolicy, SameOriginByDefault) {
  AccessPolicy p("", "", {}, "");
  EXPECT_TRUE(p.origin_allowed("", "example.com"));
  EXPECT_TRUE(p.origin_allowed("https://example.com", "example.com"));
  EXPECT_TRUE(p.origin_allowed("https://Example.com:443", "example.com"));
  EXPECT_TRUE(p.origin_allowed("http://127.0.0.1:8080", "127.0.0.1:8080"));
  EXPECT_FALSE(p.origin_allowed("http://127.0.0.1:9090", "127.0.0.1:8080"));
  EXPECT_FALSE(p.origin_allowed("https://evil.example", "example.com"));
  EXPECT_FALSE(p.origin_allowed("null", "example.com"));
}

TEST(AccessPolicy, AllowList) {
  AccessPolicy p("", "", {"https://app.example"}, "");
  EXPECT_TRUE(p.origin_allowed("https://app.example", "api.example"));
  EXPECT_FALSE(
      p.origin_allowed("https://api.example", "api.example"));  // list replaces same-origin
  AccessPolicy any("", "", {"*"}, "");
  EXPECT_TRUE(any.origin_allowed("https://whatever", "x"));
}

TEST(AccessPolicy, ApiKey) {
  AccessPolicy open("", "", {}, "");
  EXPECT_TRUE(open.api_allowed("", true));
  EXPECT_FALSE(open.api_allowed("", false));
  AccessPolicy keyed("", "", {}, "k3y");
  EXPECT_TRUE(keyed.api_allowed("apikey k3y", false));
  EXPECT_TRUE(keyed.api_allowed("ApiKey k3y", false));
  EXPECT_FALSE(keyed.api_allowed("apikey k3", true));
  EXPECT_FALSE(keyed.api_allowed("Bearer k3y", true));
  EXPECT_FALSE(keyed.api_allowed("", true));
}

TEST(AccessPolicy, BearerAndAnonymous) {
  EXPECT_EQ(AccessPolicy::bearer_token("Bearer abc"), "abc");
  EXPECT_EQ(AccessPolicy::bearer_token("bearer abc"), "abc");
  EXPECT_EQ(AccessPolicy::bearer_token("Basic abc"), "");
  AccessPolicy p("", "", {}, "");
  EXPECT_FALSE(p.auth_enabled());
  auto who = p.authenticate("anything");
  ASSERT_TRUE(who);
  EXPECT_TRUE(who->user.empty());
  AccessPolicy jwt("secret", "", {}, "");
  EXPECT_TRUE(jwt.auth_enabled());
  EXPECT_FALSE(jwt.authenticate("not.a.jwt"));
}

}  // namespace
}  // namespace herald::gateway
