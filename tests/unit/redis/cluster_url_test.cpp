// RedisUrl::parse of redis+cluster:// URLs: the seed list, credentials, TLS options
// on rediss+cluster://, refusal of a db and of malformed input, and redaction.
#include <herald/redis/url.hpp>

#include <gtest/gtest.h>

#include <string>

namespace herald::redis {
namespace {

RedisUrl parse_ok(std::string_view text) {
  auto r = RedisUrl::parse(text);
  EXPECT_TRUE(r) << text << ": " << (r ? "" : r.error().message());
  return r ? *r : RedisUrl{};
}

TEST(ClusterUrl, SeedsAndDefaults) {
  auto u = parse_ok("redis+cluster://n1:7000,n2,[::1]:7002");
  ASSERT_TRUE(u.is_cluster());
  EXPECT_FALSE(u.is_sentinel());
  ASSERT_EQ(u.cluster.size(), 3u);
  EXPECT_EQ(u.cluster[0], (ClusterSeed{"n1", 7000}));
  EXPECT_EQ(u.cluster[1], (ClusterSeed{"n2", 6379}));
  EXPECT_EQ(u.cluster[2], (ClusterSeed{"::1", 7002}));
  EXPECT_EQ(u.host, "n1");
  EXPECT_EQ(u.port, 7000);
  EXPECT_EQ(u.db, 0);
  EXPECT_FALSE(u.tls.enabled);
  EXPECT_TRUE(parse_ok("redis+cluster://n1/").is_cluster());
  EXPECT_FALSE(parse_ok("redis://n1").is_cluster());
}

TEST(ClusterUrl, CredentialsAndTls) {
  auto u =
      parse_ok("rediss+cluster://alice:p%40ss@n1:7000,n2:7001?ca_file=/etc/ca.pem&insecure=false");
  EXPECT_EQ(u.user, "alice");
  EXPECT_EQ(u.password, "p@ss");
  EXPECT_TRUE(u.tls.enabled);
  EXPECT_EQ(u.tls.ca_file, "/etc/ca.pem");
  auto p = parse_ok("redis+cluster://secret@n1");
  EXPECT_EQ(p.password, "secret");
  EXPECT_EQ(p.user, "");
}

TEST(ClusterUrl, RefusesMalformed) {
  for (std::string_view text :
       {"redis+cluster://", "redis+cluster://,n1", "redis+cluster://n1,", "redis+cluster://n1:0",
        "redis+cluster://n1:70000", "redis+cluster://n1/2", "redis+cluster://n1?db=2",
        "redis+cluster://n1/mymaster", "redis+cluster://n1?ca_file=/x",  // TLS option, no "s"
        "redis+cluster://n1?sentinel_password=x", "redis+cluster://n1#frag", "redis+cluster://n%31",
        "redis+cluster://u@n1@n2", "rediss+cluster://n1?key_file=/k",
        "redis+cluster://n1?unknown=1"}) {
    EXPECT_FALSE(RedisUrl::parse(text)) << text;
  }
  std::string many = "redis+cluster://";
  for (int i = 0; i < 33; ++i) many += (i ? ",h" : "h") + std::to_string(i);
  EXPECT_FALSE(RedisUrl::parse(many));
}

TEST(ClusterUrl, RedactedHidesThePassword) {
  auto u = parse_ok("rediss+cluster://alice:pw@n1:7000,[::1]:7001?cert_file=/c&insecure=true");
  const std::string r = u.redacted();
  EXPECT_EQ(r, "rediss+cluster://alice:***@n1:7000,[::1]:7001?insecure=true");
  EXPECT_EQ(r.find("pw@"), std::string::npos);
  auto again = RedisUrl::parse(parse_ok("redis+cluster://n1:7000,n2").redacted());
  ASSERT_TRUE(again);
  EXPECT_EQ(again->cluster.size(), 2u);
}

}  // namespace
}  // namespace herald::redis
