// RedisUrl::parse: the accepted forms (tcp, IPv6, unix socket, credentials, db), the
// defaults, percent-decoding, refusal of anything else, and redaction for logs.
#include <herald/redis/url.hpp>

#include <gtest/gtest.h>

namespace herald::redis {
namespace {

RedisUrl parse_ok(std::string_view text) {
  auto r = RedisUrl::parse(text);
  EXPECT_TRUE(r) << text << ": " << (r ? "" : r.error().message());
  return r ? *r : RedisUrl{};
}

TEST(RedisUrl, HostOnlyGetsDefaults) {
  auto u = parse_ok("redis://cache.internal");
  EXPECT_EQ(u.transport, RedisUrl::Transport::tcp);
  EXPECT_EQ(u.host, "cache.internal");
  EXPECT_EQ(u.port, 6379);
  EXPECT_EQ(u.db, 0);
  EXPECT_EQ(u.user, "");
  EXPECT_EQ(u.password, "");
}

TEST(RedisUrl, PortAndDb) {
  auto u = parse_ok("redis://127.0.0.1:6380/3");
  EXPECT_EQ(u.host, "127.0.0.1");
  EXPECT_EQ(u.port, 6380);
  EXPECT_EQ(u.db, 3);
  EXPECT_EQ(parse_ok("redis://h:1/0").db, 0);
  EXPECT_EQ(parse_ok("redis://h:65535").port, 65535);
}

TEST(RedisUrl, UserAndPassword) {
  auto u = parse_ok("redis://alice:wonderland@h:7000/1");
  EXPECT_EQ(u.user, "alice");
  EXPECT_EQ(u.password, "wonderland");
  EXPECT_EQ(u.host, "h");
  EXPECT_EQ(u.port, 7000);
  EXPECT_EQ(u.db, 1);
}

TEST(RedisUrl, PasswordOnlyMeansNoUser) {
  auto u = parse_ok("redis://:s3cret@h");
  EXPECT_EQ(u.user, "");
  EXPECT_EQ(u.password, "s3cret");
}

TEST(RedisUrl, CredentialsArePercentDecoded) {
  auto u = parse_ok("redis://us%40er:p%3Aa%2Fss%25word%20@h");
  EXPECT_EQ(u.user, "us@er");
  EXPECT_EQ(u.password, "p:a/ss%word ");
}

TEST(RedisUrl, Ipv6InBrackets) {
  auto u = parse_ok("redis://[::1]:6380");
  EXPECT_EQ(u.host, "::1");
  EXPECT_EQ(u.port, 6380);
  auto v = parse_ok("redis://[::1]");
  EXPECT_EQ(v.host, "::1");
  EXPECT_EQ(v.port, 6379);
}

TEST(RedisUrl, UnixSocket) {
  auto u = parse_ok("unix:///var/run/redis/redis.sock");
  EXPECT_EQ(u.transport, RedisUrl::Transport::unix_socket);
  EXPECT_EQ(u.path, "/var/run/redis/redis.sock");
  EXPECT_EQ(u.db, 0);
}

TEST(RedisUrl, UnixSocketWithDb) {
  auto u = parse_ok("unix:///tmp/r.sock?db=5");
  EXPECT_EQ(u.transport, RedisUrl::Transport::unix_socket);
  EXPECT_EQ(u.path, "/tmp/r.sock");
  EXPECT_EQ(u.db, 5);
}

TEST(RedisUrl, BadUrlsAreRefused) {
  for (const char* text :
       {"", "redis", "127.0.0.1:6379", "http://h:6379", "redis://", "redis://h:notaport",
        "redis://h:70000", "redis://h:-1", "redis://h/notadb", "redis://h/-1", "redis://h/1/2",
        "redis://[::1", "unix://", "unix://relative.sock", "unix:///tmp/r.sock?db=x",
        "redis://h:6379x", "redis://us%zzer:pw@h"}) {
    auto r = RedisUrl::parse(text);
    EXPECT_FALSE(r) << "accepted: '" << text << "'";
    if (!r) {
      EXPECT_EQ(r.error(), Errc::bad_url) << text;
    }
  }
}

TEST(RedisUrl, RedactedHidesThePassword) {
  auto u = parse_ok("redis://alice:topsecret@cache:6390/2");
  const std::string red = u.redacted();
  EXPECT_EQ(red.find("topsecret"), std::string::npos) << red;
  EXPECT_NE(red.find("cache"), std::string::npos) << red;
  EXPECT_NE(red.find("6390"), std::string::npos) << red;
  EXPECT_NE(red.find("alice"), std::string::npos) << red;

  auto p = parse_ok("redis://:pw123456@h");
  EXPECT_EQ(p.redacted().find("pw123456"), std::string::npos) << p.redacted();

  auto plain = parse_ok("redis://h:1");
  EXPECT_NE(plain.redacted().find("h"), std::string::npos);
  auto sock = parse_ok("unix:///tmp/x.sock");
  EXPECT_NE(sock.redacted().find("/tmp/x.sock"), std::string::npos) << sock.redacted();
}

}  // namespace
}  // namespace herald::redis
