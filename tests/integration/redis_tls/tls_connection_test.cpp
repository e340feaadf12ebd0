// The Redis client over TLS against redis-server's own --tls-port, with a CA and
// certificates made by the fixture (openssl command line): round trips through a
// Pool (DNS name + SNI and IP address verification), Pub/Sub through a Subscriber
// across a server restart, mutual TLS, the default trust store (SSL_CERT_FILE), and
// the refusals: wrong CA, another host name, an expired certificate, TLS to a plain
// server, unloadable files. Each refusal names its cause (error + log), keeps
// retrying, and recovers once the server is fixed. insecure=true connects anyway
// and says so in the log.
#include <herald/redis/connection.hpp>
#include <herald/redis/pool.hpp>
#include <herald/redis/subscriber.hpp>
#include <herald/redis/tls_context.hpp>

#include "integration/redis_tls/tls_test_util.hpp"
#include "support/redis_server.hpp"
#include "support/redis_test_util.hpp"
#include "support/run_coro.hpp"

#include <gtest/gtest.h>

#include <boost/asio/ssl/error.hpp>

#include <openssl/x509_vfy.h>

#include <cstdlib>
#include <string>
#include <vector>

namespace herald::redis {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using herald::test::cmd;
using herald::test::LogCapture;
using herald::test::ok;
using herald::test::RedisServer;
using herald::test::run_coro;
using herald::test::server_tls;
using herald::test::Signal;
using herald::test::str;
using herald::test::test_config;
using herald::test::tls_files;
using herald::test::tls_url;
using herald::test::wait_connect_failures;
using namespace std::chrono_literals;

std::string ca_query() {
  return "ca_file=" + tls_files().ca();
}

/// A server presenting the good certificate (localhost, 127.0.0.1).
RedisServer good_server(const std::string& auth_clients = "no") {
  return RedisServer(server_tls(tls_files().server_cert(), tls_files().server_key(), auth_clients));
}

/// Expects `c` to keep failing with an error of tls_verify_category() (`verdict` or
/// `alternative`) whose message contains `says`, and requests to fail fast meanwhile.
awaitable<void> expect_refused(Connection& c, int verdict, int alternative,
                               const std::string& says) {
  // A chain to a CA we do not trust: the server may send its CA along (19) or not (20).
  c.start();
  CO_ASSERT_TRUE(co_await wait_connect_failures(c, 2)) << "no retry after the first failure";
  const auto ec = c.stats().last_connect_error;
  EXPECT_EQ(&ec.category(), &tls_verify_category()) << ec.message();
  EXPECT_TRUE(ec.value() == verdict || ec.value() == alternative)
      << ec.value() << ": " << ec.message();
  EXPECT_NE(ec.message().find(says), std::string::npos) << ec.message();
  EXPECT_FALSE(c.connected());
  auto r = co_await c.exec(cmd("PING"));
  EXPECT_FALSE(r);
  if (!r) {
    EXPECT_EQ(r.error(), Errc::not_connected);
  }
}

TEST(RedisTls, PoolRoundTripWithVerifiedIpAddress) {
  RedisServer server = good_server();
  server.start();
  run_coro([&](asio::any_io_executor ex) -> awaitable<void> {
    Pool pool(ex, test_config(tls_url(server, ca_query())), 3);
    pool.start();
    CO_ASSERT_TRUE(co_await pool.wait_connected(5s));
    ok(co_await pool.exec(cmd("SET", "k", "over tls")), "SET");
    EXPECT_EQ(str(ok(co_await pool.exec(cmd("GET", "k")), "GET")), "over tls");

    // Larger than one TLS record (16 KiB) both ways, and many requests in flight.
    const std::string big(1 << 20, 'x');
    ok(co_await pool.exec(cmd("SET", "big", big)), "SET big");
    EXPECT_EQ(str(ok(co_await pool.exec(cmd("GET", "big")), "GET big")), big);
    Request many;
    for (int i = 0; i < 2000; ++i) many.push("INCR", "n");
    auto replies = ok(co_await pool.exec_all(many), "INCR x 2000");
    CO_ASSERT_EQ(replies.size(), 2000u);
    EXPECT_EQ(replies.back(), Reply::make_integer(2000));
    pool.stop();
  });
}

TEST(RedisTls, HostNameWithSniCaDirAndServerNameOverride) {
  RedisServer server = good_server();
  server.start();
  run_coro([&](asio::any_io_executor ex) -> awaitable<void> {
    // A DNS name: verified as a host name and sent as SNI.
    Connection by_name(ex, test_config(tls_url(server, ca_query(), "localhost")));
    by_name.start();
    CO_ASSERT_TRUE(co_await by_name.wait_connected(5s))
        << by_name.stats().last_connect_error.message();
    EXPECT_EQ(str(ok(co_await by_name.exec(cmd("ECHO", "sni")))), "sni");
    by_name.stop();

    // The CA from a hashed directory instead of a file.
    Connection by_dir(ex, test_config(tls_url(server, "ca_dir=" + tls_files().ca_dir())));
    by_dir.start();
    CO_ASSERT_TRUE(co_await by_dir.wait_connected(5s))
        << by_dir.stats().last_connect_error.message();
    by_dir.stop();

    // Connect by address, verify the name the certificate carries.
    Connection by_override(ex, test_config(tls_url(server, ca_query() + "&server_name=localhost")));
    by_override.start();
    CO_ASSERT_TRUE(co_await by_override.wait_connected(5s))
        << by_override.stats().last_connect_error.message();
    by_override.stop();
  });
}

TEST(RedisTls, SubscriberOverTlsSurvivesARestart) {
  RedisServer server = good_server();
  server.start();
  run_coro([&](asio::any_io_executor ex) -> awaitable<void> {
    const auto cfg = test_config(tls_url(server, ca_query()));
    Subscriber sub(ex, cfg);
    Connection pub(ex, cfg);
    Signal signal(ex);
    std::vector<std::string> got;
    std::vector<SubscriberState> states;
    sub.on_message([&](const PubSubMessage& m) {
      got.emplace_back(m.payload);
      signal.notify();
    });
    sub.on_state([&](SubscriberState s) {
      states.push_back(s);
      signal.notify();
    });
    sub.subscribe({"news"});
    sub.start();
    pub.start();
    CO_ASSERT_TRUE(co_await sub.wait_connected(5s));
    CO_ASSERT_TRUE(co_await pub.wait_connected(5s));
    ok(co_await sub.flush(), "flush");
    EXPECT_EQ(ok(co_await pub.exec(cmd("PUBLISH", "news", "first"))), Reply::make_integer(1));
    CO_ASSERT_TRUE(co_await signal.wait([&] { return got.size() >= 1; }, 5s));
    EXPECT_EQ(got[0], "first");

    server.kill9();
    server.restart();
    CO_ASSERT_TRUE(co_await signal.wait(
        [&] { return !states.empty() && states.back() == SubscriberState::resubscribed; }, 10s));
    CO_ASSERT_TRUE(co_await pub.wait_connected(10s));
    EXPECT_EQ(ok(co_await pub.exec(cmd("PUBLISH", "news", "second"))), Reply::make_integer(1));
    CO_ASSERT_TRUE(co_await signal.wait([&] { return got.size() >= 2; }, 5s));
    EXPECT_EQ(got[1], "second");
    sub.stop();
    pub.stop();
  });
}

TEST(RedisTls, MutualTls) {
  RedisServer server = good_server("yes");
  server.start();
  run_coro([&](asio::any_io_executor ex) -> awaitable<void> {
    // Without a client certificate the server refuses (TLS 1.3: after the handshake,
    // on the first read, which connect's handshake round trip makes a connect error).
    Connection anonymous(ex, test_config(tls_url(server, ca_query())));
    anonymous.start();
    CO_ASSERT_TRUE(co_await wait_connect_failures(anonymous, 2));
    EXPECT_FALSE(anonymous.connected());
    // Its alert ("certificate required") when it arrives before the server's reset
    // does, tls_closed_by_server otherwise: both say "certificate".
    const std::string why = anonymous.stats().last_connect_error.message();
    EXPECT_NE(why.find("certificate"), std::string::npos) << why;
    anonymous.stop();

    const auto& f = tls_files();
    Connection client(ex, test_config(tls_url(server, ca_query() + "&cert_file=" + f.client_cert() +
                                                          "&key_file=" + f.client_key())));
    client.start();
    CO_ASSERT_TRUE(co_await client.wait_connected(5s))
        << client.stats().last_connect_error.message();
    EXPECT_EQ(str(ok(co_await client.exec(cmd("ECHO", "mutual")))), "mutual");
    client.stop();
  });
}

TEST(RedisTls, WrongCaIsNamedAndRetried) {
  RedisServer server = good_server();
  server.start();
  LogCapture log;
  run_coro([&](asio::any_io_executor ex) -> awaitable<void> {
    Connection c(ex, test_config(tls_url(server, "ca_file=" + tls_files().other_ca())));
    co_await expect_refused(c, X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN,
                            X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
                            "not signed by a trusted CA");
    c.stop();
  });
  EXPECT_TRUE(log.contains("not signed by a trusted CA")) << log.all();
}

TEST(RedisTls, HostNameMismatchIsNamed) {
  const auto& f = tls_files();
  RedisServer server(server_tls(f.other_name_cert(), f.other_name_key()));
  server.start();
  run_coro([&](asio::any_io_executor ex) -> awaitable<void> {
    Connection by_ip(ex, test_config(tls_url(server, ca_query())));
    co_await expect_refused(by_ip, X509_V_ERR_IP_ADDRESS_MISMATCH, X509_V_ERR_IP_ADDRESS_MISMATCH,
                            "another host name");
    by_ip.stop();
    Connection by_name(ex, test_config(tls_url(server, ca_query(), "localhost")));
    co_await expect_refused(by_name, X509_V_ERR_HOSTNAME_MISMATCH, X509_V_ERR_HOSTNAME_MISMATCH,
                            "another host name");
    by_name.stop();
    // server_name= makes the certificate's name the one checked.
    Connection named(ex, test_config(tls_url(server, ca_query() + "&server_name=other.example")));
    named.start();
    CO_ASSERT_TRUE(co_await named.wait_connected(5s)) << named.stats().last_connect_error.message();
    named.stop();
  });
}

TEST(RedisTls, ExpiredCertificateIsNamedThenRecoveredFrom) {
  const auto& f = tls_files();
  RedisServer server(server_tls(f.expired_cert(), f.expired_key()));
  server.start();
  LogCapture log;
  run_coro([&](asio::any_io_executor ex) -> awaitable<void> {
    Connection c(ex, test_config(tls_url(server, ca_query())));
    co_await expect_refused(c, X509_V_ERR_CERT_HAS_EXPIRED, X509_V_ERR_CERT_HAS_EXPIRED,
                            "has expired");
    // The operator renews the certificate: the retries pick it up.
    server.cli({"CONFIG", "SET", "tls-cert-file", f.server_cert(), "tls-key-file", f.server_key()});
    CO_ASSERT_TRUE(co_await c.wait_connected(10s)) << c.stats().last_connect_error.message();
    EXPECT_EQ(str(ok(co_await c.exec(cmd("ECHO", "renewed")))), "renewed");
    c.stop();
  });
  EXPECT_TRUE(log.contains("certificate has expired")) << log.all();
}

TEST(RedisTls, InsecureConnectsToAnyCertificateAndWarns) {
  const auto& f = tls_files();
  RedisServer server(server_tls(f.other_name_cert(), f.other_name_key()));
  server.start();
  LogCapture log;
  run_coro([&](asio::any_io_executor ex) -> awaitable<void> {
    // Neither the CA (not given, not in the system store) nor the name would pass.
    Connection c(ex, test_config(tls_url(server, "insecure=true")));
    c.start();
    CO_ASSERT_TRUE(co_await c.wait_connected(5s)) << c.stats().last_connect_error.message();
    EXPECT_EQ(str(ok(co_await c.exec(cmd("ECHO", "unverified")))), "unverified");
    c.stop();
  });
  EXPECT_TRUE(log.contains("verification are OFF")) << log.all();
  EXPECT_TRUE(log.contains("insecure=true")) << log.all();
}

TEST(RedisTls, DefaultTrustStoreHonoursSslCertFile) {
  RedisServer server = good_server();
  server.start();
  run_coro([&](asio::any_io_executor ex) -> awaitable<void> {
    // No ca_file: the system store, which does not know the test CA.
    Connection system(ex, test_config(tls_url(server, "")));
    co_await expect_refused(system, X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN,
                            X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
                            "not signed by a trusted CA");
    system.stop();

    // SSL_CERT_FILE replaces the default store, as for every OpenSSL program (read
    // when the context is made, i.e. when the Connection is constructed).
    ::setenv("SSL_CERT_FILE", tls_files().ca().c_str(), 1);
    Connection c(ex, test_config(tls_url(server, "")));
    ::unsetenv("SSL_CERT_FILE");
    c.start();
    CO_ASSERT_TRUE(co_await c.wait_connected(5s)) << c.stats().last_connect_error.message();
    c.stop();
  });
}

TEST(RedisTls, TlsToAPlainServerFailsWithoutCrashing) {
  RedisServer plain;
  plain.start();
  run_coro([&](asio::any_io_executor ex) -> awaitable<void> {
    auto cfg = test_config("rediss://127.0.0.1:" + std::to_string(plain.port()) + "?" + ca_query());
    cfg.connect_timeout = 500ms;
    Connection c(ex, cfg);
    c.start();
    CO_ASSERT_TRUE(co_await wait_connect_failures(c, 2));
    EXPECT_FALSE(c.connected());
    // Redis waits for a line end in the ClientHello (a timeout), or finds one among
    // its random bytes and answers with an error line that is no TLS record.
    const auto ec = c.stats().last_connect_error;
    EXPECT_TRUE(ec == Errc::tls_handshake_timeout ||
                ec.category() == asio::error::get_ssl_category())
        << ec.message();
    c.stop();
  });
}

TEST(RedisTls, UnloadableFilesAreNamed) {
  const auto& f = tls_files();
  auto make = [](const std::string& url) {
    std::string why;
    auto ctx = TlsContext::make(ok(RedisUrl::parse(url)), why);
    EXPECT_EQ(ctx, nullptr) << url;
    return why;
  };
  std::string why = make("rediss://h?ca_file=/nonexistent/ca.pem");
  EXPECT_NE(why.find("/nonexistent/ca.pem"), std::string::npos) << why;
  why = make("rediss://h?ca_dir=/nonexistent");
  EXPECT_NE(why.find("not a directory"), std::string::npos) << why;
  why = make("rediss://h?ca_file=" + f.path("ca.key"));  // a key, not a certificate
  EXPECT_NE(why.find("ca.key"), std::string::npos) << why;
  why = make("rediss://h?cert_file=" + f.client_cert() + "&key_file=" + f.server_key());
  EXPECT_NE(why.find("does it belong to cert_file"), std::string::npos) << why;
  why = make("rediss://h?cert_file=" + f.client_cert());  // no key inside
  EXPECT_NE(why.find("client key"), std::string::npos) << why;

  // A Connection with such a URL logs the reason and fails every connect with
  // tls_setup_failed (the app refuses to start instead: prepare_tls first).
  LogCapture log;
  run_coro([&](asio::any_io_executor ex) -> awaitable<void> {
    Connection c(ex, test_config("rediss://127.0.0.1:1?ca_file=/nonexistent/ca.pem"));
    c.start();
    CO_ASSERT_TRUE(co_await wait_connect_failures(c, 1));
    EXPECT_EQ(c.stats().last_connect_error, Errc::tls_setup_failed);
    c.stop();
  });
  EXPECT_TRUE(log.contains("/nonexistent/ca.pem")) << log.all();
}

}  // namespace
}  // namespace herald::redis
