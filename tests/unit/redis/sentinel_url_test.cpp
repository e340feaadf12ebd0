// RedisUrl::parse of redis+sentinel:// URLs: the sentinel list, the master name, the
// data credentials versus Sentinel's own, db, TLS options on rediss+sentinel://,
// refusal of malformed input, and redaction for logs.
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

TEST(SentinelUrl, HostsMasterAndDefaults) {
  auto u = parse_ok("redis+sentinel://s1:26380,s2,10.0.0.3:26381/mymaster");
  ASSERT_TRUE(u.is_sentinel());
  EXPECT_EQ(u.transport, RedisUrl::Transport::tcp);
  ASSERT_EQ(u.sentinel.sentinels.size(), 3u);
  EXPECT_EQ(u.sentinel.sentinels[0], (SentinelAddress{"s1", 26380}));
  EXPECT_EQ(u.sentinel.sentinels[1], (SentinelAddress{"s2", 26379}));
  EXPECT_EQ(u.sentinel.sentinels[2], (SentinelAddress{"10.0.0.3", 26381}));
  EXPECT_EQ(u.sentinel.master_name, "mymaster");
  EXPECT_EQ(u.sentinel.password, "");
  EXPECT_EQ(u.password, "");
  EXPECT_EQ(u.db, 0);
  EXPECT_FALSE(u.tls.enabled);
  EXPECT_FALSE(parse_ok("redis://h").is_sentinel());
}

TEST(SentinelUrl, DataCredentialsAndSentinelCredentialsAreSeparate) {
  auto u =
      parse_ok("redis+sentinel://alice:data%40pw@s1:26379/mymaster?sentinel_password=sent&db=4");
  EXPECT_EQ(u.user, "alice");
  EXPECT_EQ(u.password, "data@pw");
  EXPECT_EQ(u.sentinel.password, "sent");
  EXPECT_EQ(u.sentinel.user, "");
  EXPECT_EQ(u.db, 4);
  auto v = parse_ok("redis+sentinel://only@s1/m?sentinel_user=bob&sentinel_password=x");
  EXPECT_EQ(v.user, "");
  EXPECT_EQ(v.password, "only");
  EXPECT_EQ(v.sentinel.user, "bob");
  EXPECT_EQ(v.sentinel.password, "x");
}

TEST(SentinelUrl, Ipv6Sentinels) {
  auto u = parse_ok("redis+sentinel://[::1]:26379,[fe80::1]/m");
  ASSERT_EQ(u.sentinel.sentinels.size(), 2u);
  EXPECT_EQ(u.sentinel.sentinels[0], (SentinelAddress{"::1", 26379}));
  EXPECT_EQ(u.sentinel.sentinels[1], (SentinelAddress{"fe80::1", 26379}));
}

TEST(SentinelUrl, TlsOptionsOnRedissSentinel) {
  auto u = parse_ok("rediss+sentinel://s1,s2/m?ca_file=/ca.pem&server_name=redis.internal");
  EXPECT_TRUE(u.is_sentinel());
  EXPECT_TRUE(u.tls.enabled);
  EXPECT_EQ(u.tls.ca_file, "/ca.pem");
  EXPECT_EQ(u.tls.server_name, "redis.internal");
}

TEST(SentinelUrl, RefusesMalformed) {
  for (std::string_view text : {
           "redis+sentinel://",                         // nothing
           "redis+sentinel://s1",                       // no master name
           "redis+sentinel://s1/",                      // empty master name
           "redis+sentinel:///m",                       // no sentinel
           "redis+sentinel://s1,/m",                    // empty host in the list
           "redis+sentinel://,s1/m",                    //
           "redis+sentinel://s1:0/m",                   // port out of range
           "redis+sentinel://s1:65536/m",               //
           "redis+sentinel://s1:x/m",                   //
           "redis+sentinel://s1/m/2",                   // '/' in the master name
           "redis+sentinel://s1/m%20x",                 // space in the master name
           "redis+sentinel://s1/m?ca_file=/c",          // TLS option without TLS
           "redis+sentinel://s1/m?sentinel_user=u",     // user without password
           "redis+sentinel://s1/m?sentinel_password=",  // empty value
           "redis+sentinel://s1/m?sentinel_password=a&sentinel_password=b",  // twice
           "redis+sentinel://s1/m?db=-1",                                    // db out of range
           "redis+sentinel://s1/m?unknown=1",                                // unknown option
           "redis+sentinel://s1/m#frag",                                     // fragment
           "redis+sentinel://u@s1@s2/m",        // '@' in userinfo, unencoded
           "redis+sentinel://s1 /m",            // space in a host
           "redis://s1/m?sentinel_password=x",  // Sentinel option, plain URL
           "redis+sentinel://[::1/m",           // unclosed bracket
       }) {
    auto r = RedisUrl::parse(text);
    EXPECT_FALSE(r) << "accepted: '" << text << "'";
    if (!r) {
      EXPECT_EQ(r.error(), Errc::bad_url) << text;
    }
  }
  std::string many = "redis+sentinel://";
  for (std::size_t i = 0; i <= RedisUrl::kMaxSentinels; ++i) many += "s" + std::to_string(i) + ",";
  many.back() = '/';
  many += "m";
  EXPECT_FALSE(RedisUrl::parse(many));
}

TEST(SentinelUrl, RedactedHidesBothPasswords) {
  auto u = parse_ok(
      "rediss+sentinel://alice:topsecret@s1:26379,[::1]:26380/mymaster?sentinel_password="
      "sentsecret&db=2&insecure=true&ca_file=/etc/private/ca.pem");
  const std::string red = u.redacted();
  EXPECT_EQ(red, "rediss+sentinel://alice:***@s1:26379,[::1]:26380/mymaster?db=2&insecure=true");
  EXPECT_EQ(red.find("sentsecret"), std::string::npos);
  // The redacted form parses again to the same sentinels and master.
  auto again = parse_ok(parse_ok("redis+sentinel://s1,s2:1/m?db=3").redacted());
  EXPECT_EQ(again.sentinel.sentinels.size(), 2u);
  EXPECT_EQ(again.sentinel.master_name, "m");
  EXPECT_EQ(again.db, 3);
}

}  // namespace
}  // namespace herald::redis
