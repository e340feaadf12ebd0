// RedisUrl::parse: the accepted forms (tcp, IPv6, unix socket, credentials, db, rediss://
// and its TLS options), the defaults, percent-decoding, refusal of anything else, and
// redaction for logs.
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

TEST(RedisUrl, RedissIsTlsWithVerificationByDefault) {
  auto u = parse_ok("rediss://cache.example.com");
  EXPECT_EQ(u.transport, RedisUrl::Transport::tcp);
  EXPECT_TRUE(u.tls.enabled);
  EXPECT_FALSE(u.tls.insecure);
  EXPECT_EQ(u.host, "cache.example.com");
  EXPECT_EQ(u.port, 6379);
  EXPECT_EQ(u.tls.ca_file, "");  // the system trust store
  EXPECT_EQ(u.tls.ca_dir, "");
  EXPECT_EQ(u.tls_server_name(), "cache.example.com");
  EXPECT_FALSE(parse_ok("redis://cache.example.com").tls.enabled);
}

TEST(RedisUrl, RedissWithEveryOption) {
  auto u = parse_ok(
      "rediss://alice:pw@10.0.0.7:6380/2?ca_file=/etc/ca.pem&ca_dir=/etc/ssl/certs"
      "&cert_file=/etc/client.pem&key_file=/etc/client.key&server_name=redis.internal"
      "&insecure=false");
  EXPECT_TRUE(u.tls.enabled);
  EXPECT_EQ(u.user, "alice");
  EXPECT_EQ(u.password, "pw");
  EXPECT_EQ(u.host, "10.0.0.7");
  EXPECT_EQ(u.port, 6380);
  EXPECT_EQ(u.db, 2);
  EXPECT_EQ(u.tls.ca_file, "/etc/ca.pem");
  EXPECT_EQ(u.tls.ca_dir, "/etc/ssl/certs");
  EXPECT_EQ(u.tls.cert_file, "/etc/client.pem");
  EXPECT_EQ(u.tls.key_file, "/etc/client.key");
  EXPECT_EQ(u.tls.server_name, "redis.internal");
  EXPECT_EQ(u.tls_server_name(), "redis.internal");
  EXPECT_FALSE(u.tls.insecure);
  EXPECT_TRUE(parse_ok("rediss://h?insecure=true").tls.insecure);
  EXPECT_EQ(parse_ok("rediss://h?db=4&ca_file=/c").db, 4);
}

TEST(RedisUrl, TlsPathsArePercentDecodedAndKeepTheirPlus) {
  auto u = parse_ok("rediss://h?ca_file=/etc/my%20certs/c++/ca%26b.pem");
  EXPECT_EQ(u.tls.ca_file, "/etc/my certs/c++/ca&b.pem");
}

TEST(RedisUrl, CertificateWithoutKeyFileUsesTheCertificateFile) {
  auto u = parse_ok("rediss://h?cert_file=/etc/both.pem");
  EXPECT_EQ(u.tls.cert_file, "/etc/both.pem");
  EXPECT_EQ(u.tls.key_file, "");
}

TEST(RedisUrl, Ipv6Rediss) {
  auto u = parse_ok("rediss://[::1]:6390?ca_file=/c");
  EXPECT_EQ(u.host, "::1");
  EXPECT_EQ(u.port, 6390);
  EXPECT_TRUE(u.tls.enabled);
}

TEST(RedisUrl, MalformedTlsUrlsAreRefused) {
  for (const char* text : {
           "rediss://",                                // no host
           "rediss:///path",                           // no host
           "rediss://h:0",                             // port out of range
           "redis://h?ca_file=/c",                     // TLS option on a plain URL
           "redis://h?insecure=true",                  // ditto
           "unix:///tmp/r.sock?ca_file=/c",            // no TLS on unix sockets
           "rediss://h?ca_file=",                      // empty value
           "rediss://h?ca_file",                       // no value
           "rediss://h?ca_file=/a&ca_file=/b",         // twice
           "rediss://h?insecure=yes",                  // only true / false
           "rediss://h?insecure=TRUE",                 //
           "rediss://h?insecure=true&insecure=false",  // twice
           "rediss://h?key_file=/k",                   // a key without its certificate
           "rediss://h?server_name=a%20b",             // not a host name
           "rediss://h?server_name=a/b",               //
           "rediss://h?ca_file=/a%00b",                // NUL in a path
           "rediss://h?verify=false",                  // unknown option
           "rediss://h?CA_FILE=/c",                    // options are lower case
           "redisss://h",                              // unknown scheme
           "rediss//h",                                //
           "rediss://h?ca_file=%zz",                   // bad percent-encoding
       }) {
    auto r = RedisUrl::parse(text);
    EXPECT_FALSE(r) << "accepted: '" << text << "'";
    if (!r) {
      EXPECT_EQ(r.error(), Errc::bad_url) << text;
    }
  }
}

TEST(RedisUrl, RedactedShowsTlsButNotItsFiles) {
  auto u = parse_ok("rediss://alice:topsecret@cache:6390/2?ca_file=/etc/private/ca.pem");
  const std::string red = u.redacted();
  EXPECT_EQ(red.rfind("rediss://", 0), 0u) << red;
  EXPECT_EQ(red.find("topsecret"), std::string::npos) << red;
  EXPECT_EQ(red.find("/etc/private"), std::string::npos) << red;
  EXPECT_NE(red.find("6390"), std::string::npos) << red;
  EXPECT_NE(parse_ok("rediss://h?insecure=true").redacted().find("insecure=true"),
            std::string::npos);
}

}  // namespace
}  // namespace herald::redis
