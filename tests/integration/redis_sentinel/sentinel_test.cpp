// redis+sentinel:// against real processes on loopback (a master, a replica, three
// sentinels): discovery for the Pool and the Subscriber, sentinel_password, an
// unknown master name, a kill -9 of the master under write load (writes succeed
// again at the promoted replica within the failover time plus a few seconds, and
// the Subscriber follows),
// a graceful SENTINEL FAILOVER (the old master is demoted under live connections),
// the same over TLS to the sentinels and the servers (rediss+sentinel://),
// and a master demoted behind the sentinels' back (-READONLY, then ROLE).
#include <herald/redis/connection.hpp>
#include <herald/redis/pool.hpp>
#include <herald/redis/subscriber.hpp>

#include "sentinel_setup.hpp"
#include "support/redis_test_util.hpp"
#include "support/run_coro.hpp"
#include "support/tls_files.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include <chrono>
#include <iostream>
#include <string>
#include <vector>

namespace herald::redis {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using herald::test::cmd;
using herald::test::ok;
using herald::test::run_coro;
using herald::test::SentinelSetup;
using herald::test::Signal;
using herald::test::str;
using herald::test::test_config;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

/// The port of the server a connection is on (INFO server's tcp_port).
awaitable<std::string> server_port(Pool& pool) {
  auto info = str(ok(co_await pool.exec(cmd("INFO", "server"))));
  const auto at = info.find("tcp_port:");
  if (at == std::string::npos) co_return "";
  const auto end = info.find('\r', at);
  co_return info.substr(at + 9, end - at - 9);
}

struct Messages {
  explicit Messages(asio::any_io_executor ex) : signal(std::move(ex)) {}
  void attach(Subscriber& sub) {
    sub.on_message([this](const PubSubMessage& m) {
      payloads.emplace_back(m.payload);
      signal.notify();
    });
  }
  awaitable<bool> wait_for(const std::string& payload, std::chrono::milliseconds t) {
    return signal.wait(
        [this, payload] {
          for (const auto& p : payloads)
            if (p == payload) return true;
          return false;
        },
        t);
  }
  std::vector<std::string> payloads;
  Signal signal;
};

TEST(RedisSentinel, PoolAndSubscriberDiscoverTheMaster) {
  SentinelSetup setup;
  setup.start();
  run_coro([&](asio::any_io_executor ex) -> awaitable<void> {
    auto cfg = test_config(setup.url());
    Pool pool(ex, cfg, 3);
    pool.start();
    CO_ASSERT_TRUE(co_await pool.wait_connected(10s));
    ok(co_await pool.exec(cmd("SET", "sentinel:k", "v")));
    EXPECT_EQ(setup.master().cli({"GET", "sentinel:k"}), "v");
    for (std::size_t i = 0; i < pool.size(); ++i) {
      auto role = ok(co_await pool.at(i).exec(cmd("ROLE")));
      CO_ASSERT_TRUE(role.is_array() && !role.elements.empty());
      EXPECT_EQ(str(role.elements[0]), "master") << "connection " << i;
    }
    EXPECT_EQ(co_await server_port(pool), std::to_string(setup.master().port()));

    Subscriber sub(ex, cfg);
    Messages got(ex);
    got.attach(sub);
    sub.subscribe({"sentinel:ch"});
    sub.start();
    CO_ASSERT_TRUE(co_await sub.wait_connected(10s));
    ok(co_await sub.flush());
    ok(co_await pool.exec(cmd("PUBLISH", "sentinel:ch", "hello")));
    EXPECT_TRUE(co_await got.wait_for("hello", 5s));
    sub.stop();
    pool.stop();
  });
}

TEST(RedisSentinel, SentinelPasswordIsSentAndChecked) {
  SentinelSetup setup("sentinel-secret");
  setup.start();
  run_coro([&](asio::any_io_executor ex) -> awaitable<void> {
    Connection good(ex, test_config(setup.url() + "?sentinel_password=sentinel-secret"));
    good.start();
    CO_ASSERT_TRUE(co_await good.wait_connected(10s));
    ok(co_await good.exec(cmd("SET", "sentinel:auth", "1")));
    good.stop();

    // Without it (or with a wrong one) no sentinel answers.
    Connection bad(ex, test_config(setup.url() + "?sentinel_password=wrong"));
    bad.start();
    EXPECT_FALSE(co_await bad.wait_connected(1s));
    for (int i = 0; i < 100 && bad.stats().last_connect_error != Errc::no_sentinel; ++i)
      co_await herald::test::sleep_for(50ms);
    EXPECT_EQ(bad.stats().last_connect_error, Errc::no_sentinel)
        << bad.stats().last_connect_error.message();
    bad.stop();
  });
}

TEST(RedisSentinel, UnknownMasterNameIsReported) {
  SentinelSetup setup;
  setup.start();
  run_coro([&](asio::any_io_executor ex) -> awaitable<void> {
    Connection conn(ex, test_config(setup.url("nosuchmaster")));
    conn.start();
    EXPECT_FALSE(co_await conn.wait_connected(1s));
    // Each failed round sets the error; wait until one has.
    for (int i = 0; i < 100 && conn.stats().last_connect_error != Errc::master_unknown; ++i)
      co_await herald::test::sleep_for(50ms);
    EXPECT_EQ(conn.stats().last_connect_error, Errc::master_unknown)
        << conn.stats().last_connect_error.message();
    conn.stop();
  });
}

TEST(RedisSentinel, KillNineOfTheMasterUnderWriteLoad) {
  SentinelSetup setup;
  setup.start();
  const std::string replica_port = std::to_string(setup.replica().port());
  run_coro(
      [&](asio::any_io_executor ex) -> awaitable<void> {
        auto cfg = test_config(setup.url());
        Pool pool(ex, cfg, 2);
        pool.start();
        CO_ASSERT_TRUE(co_await pool.wait_connected(10s));
        Subscriber sub(ex, cfg);
        Messages got(ex);
        got.attach(sub);
        sub.subscribe({"sentinel:after"});
        sub.start();
        CO_ASSERT_TRUE(co_await sub.wait_connected(10s));

        // A writer that never stops trying: one RPUSH at a time, paced at ~5 ms.
        bool stop = false;
        bool writer_done = false;
        int acknowledged = 0;
        int failed = 0;
        Clock::time_point last_success{};
        Signal progress(ex);
        asio::co_spawn(
            ex,
            [&]() -> awaitable<void> {
              for (int i = 0; !stop; ++i) {
                auto r = co_await pool.exec(cmd("RPUSH", "sentinel:seq", i));
                if (r && r->is_integer()) {
                  ++acknowledged;
                  last_success = Clock::now();
                } else {
                  ++failed;
                }
                progress.notify();
                co_await herald::test::sleep_for(5ms);
              }
              writer_done = true;
              progress.notify();
            },
            asio::detached);
        CO_ASSERT_TRUE(co_await progress.wait([&] { return acknowledged >= 50; }, 10s));

        const auto killed_at = Clock::now();
        setup.master().kill9();
        // Writes fail while no master is elected, then succeed again at the replica.
        CO_ASSERT_TRUE(
            co_await progress.wait([&] { return failed > 0 && last_success > killed_at; }, 60s))
            << acknowledged << " acknowledged, " << failed << " failed";
        const auto recovered_after = last_success - killed_at;
        std::cout << "writes succeeded again "
                  << std::chrono::duration_cast<std::chrono::milliseconds>(recovered_after).count()
                  << " ms after the kill -9 (" << failed << " failed meanwhile)\n";
        // down-after 1 s + election + promotion take ~2-4 s; allow for a slow machine.
        EXPECT_LT(recovered_after, 15s)
            << std::chrono::duration_cast<std::chrono::milliseconds>(recovered_after).count()
            << " ms";
        EXPECT_EQ(co_await server_port(pool), replica_port);
        const int before = acknowledged;
        CO_ASSERT_TRUE(co_await progress.wait([&] { return acknowledged >= before + 20; }, 10s));
        stop = true;
        CO_ASSERT_TRUE(co_await progress.wait([&] { return writer_done; }, 10s));

        // The Subscriber followed too: it hears a publication made at the new master.
        CO_ASSERT_TRUE(co_await sub.wait_connected(10s));
        ok(co_await sub.flush());
        ok(co_await pool.exec(cmd("PUBLISH", "sentinel:after", "at-new-master")));
        EXPECT_TRUE(co_await got.wait_for("at-new-master", 10s));
        sub.stop();
        pool.stop();
      },
      120s);
  EXPECT_EQ(setup.master_port_named_by(0), replica_port);
}

TEST(RedisSentinel, GracefulFailoverMovesLiveConnections) {
  SentinelSetup setup;
  setup.start();
  const std::string old_master = std::to_string(setup.master().port());
  const std::string replica_port = std::to_string(setup.replica().port());
  run_coro(
      [&](asio::any_io_executor ex) -> awaitable<void> {
        Pool pool(ex, test_config(setup.url()), 2);
        pool.start();
        CO_ASSERT_TRUE(co_await pool.wait_connected(10s));
        EXPECT_EQ(co_await server_port(pool), old_master);
        const Topology before = pool.topology();
        EXPECT_EQ(before.kind, Topology::Kind::sentinel);
        EXPECT_EQ(before.primaries, std::vector<std::string>{"127.0.0.1:" + old_master});
        // The old master stays up as a replica: connections left on it would get
        // -READONLY; they must end up at the new master.
        EXPECT_EQ(setup.sentinel(0).cli({"SENTINEL", "FAILOVER", SentinelSetup::kMaster}), "OK");
        bool moved = false;
        for (int i = 0; i < 300 && !moved; ++i) {
          auto r = co_await pool.exec(cmd("SET", "sentinel:after-failover", i));
          moved = r && r->is_string() && co_await server_port(pool) == replica_port;
          if (!moved) co_await herald::test::sleep_for(100ms);
        }
        EXPECT_TRUE(moved);
        // Every member of the pool is on the new master.
        for (std::size_t i = 0; i < pool.size(); ++i) {
          bool on_master = false;
          for (int j = 0; j < 100 && !on_master; ++j) {
            auto r = co_await pool.at(i).exec(cmd("SET", "sentinel:member", j));
            on_master = r && r->is_string();
            if (!on_master) co_await herald::test::sleep_for(100ms);
          }
          EXPECT_TRUE(on_master) << "connection " << i;
        }
        // For /metrics: the new master, and one more switch seen.
        const Topology after = pool.topology();
        EXPECT_EQ(after.primaries, std::vector<std::string>{"127.0.0.1:" + replica_port});
        EXPECT_GE(after.changes, before.changes + 1);
        pool.stop();
      },
      120s);
}

// rediss+sentinel://: the sentinels, the master and the replica speak TLS only; the
// pool verifies each of them against the test CA (the sentinels' certificate and the
// servers' name 127.0.0.1), finds the master through the sentinels and, after a
// SENTINEL FAILOVER, the new one; the subscriber follows too.
TEST(RedisSentinel, TlsToSentinelsAndServersFollowsAFailover) {
  const herald::test::TlsFiles pki;
  herald::test::RedisServer::Tls tls;
  tls.cert_file = pki.server_cert();
  tls.key_file = pki.server_key();
  tls.ca_file = pki.ca();
  SentinelSetup setup(tls);
  setup.start();
  const std::string url = setup.url() + "?ca_file=" + pki.ca();
  const std::string replica_port = std::to_string(setup.replica().port());
  run_coro(
      [&](asio::any_io_executor ex) -> awaitable<void> {
        Pool pool(ex, test_config(url), 2);
        Subscriber sub(ex, test_config(url));
        Messages got(ex);
        got.attach(sub);
        sub.subscribe({"tls:ch"});
        pool.start();
        sub.start();
        CO_ASSERT_TRUE(co_await pool.wait_connected(10s));
        EXPECT_EQ(str(ok(co_await pool.exec(cmd("SET", "tls:k", "v")))), "OK");
        CO_ASSERT_TRUE(co_await sub.wait_connected(10s));
        ok(co_await sub.flush());
        EXPECT_EQ(setup.sentinel(0).cli({"SENTINEL", "FAILOVER", SentinelSetup::kMaster}), "OK");
        bool moved = false;
        for (int i = 0; i < 300 && !moved; ++i) {
          auto r = co_await pool.exec(cmd("SET", "tls:after-failover", i));
          moved =
              r && r->is_string() &&
              pool.topology().primaries == std::vector<std::string>{"127.0.0.1:" + replica_port};
          if (!moved) co_await herald::test::sleep_for(100ms);
        }
        EXPECT_TRUE(moved);
        // The subscriber is on the new master too: a PUBLISH there reaches it.
        bool heard = false;
        for (int i = 0; i < 100 && !heard; ++i) {
          (void)co_await pool.exec(cmd("PUBLISH", "tls:ch", "after"));
          heard = co_await got.wait_for("after", 100ms);
        }
        EXPECT_TRUE(heard);
        sub.stop();
        pool.stop();
      },
      120s);
}

// A master that hangs (SIGSTOP) keeps its connections open: nothing but
// +switch-master tells the pool and the subscriber to leave it. After the sentinels'
// failover, writes succeed at the promoted replica and the subscriber hears it.
TEST(RedisSentinel, HungMasterIsLeftOnSwitchMaster) {
  SentinelSetup setup;
  setup.start();
  const std::string replica_port = std::to_string(setup.replica().port());
  run_coro(
      [&](asio::any_io_executor ex) -> awaitable<void> {
        auto cfg = test_config(setup.url());
        cfg.request_timeout = 500ms;
        Pool pool(ex, cfg, 2);
        pool.start();
        CO_ASSERT_TRUE(co_await pool.wait_connected(10s));
        Subscriber sub(ex, cfg);
        Messages got(ex);
        got.attach(sub);
        sub.subscribe({"sentinel:hung"});
        sub.start();
        CO_ASSERT_TRUE(co_await sub.wait_connected(10s));
        ok(co_await sub.flush());

        setup.master().pause();
        // Polls the pool until a write lands on the promoted replica (each write
        // to the hung master times out after 500 ms).
        bool moved = false;
        const auto paused_at = Clock::now();
        while (!moved && Clock::now() - paused_at < 60s) {
          auto r = co_await pool.exec(cmd("SET", "sentinel:hung", "1"));
          if (r && r->is_string()) {
            auto port = co_await pool.exec(cmd("CONFIG", "GET", "port"));
            moved = port && port->is_array() && port->elements.size() == 2 &&
                    port->elements[1].str == replica_port;
          }
          if (!moved) co_await herald::test::sleep_for(50ms);
        }
        CO_ASSERT_TRUE(moved);
        // Both pool members left the hung master.
        for (std::size_t i = 0; i < pool.size(); ++i) {
          bool ok_here = false;
          for (int j = 0; j < 100 && !ok_here; ++j) {
            auto r = co_await pool.at(i).exec(cmd("SET", "sentinel:member", j));
            ok_here = r && r->is_string();
            if (!ok_here) co_await herald::test::sleep_for(50ms);
          }
          EXPECT_TRUE(ok_here) << "connection " << i;
        }
        // So did the subscriber.
        bool heard = false;
        for (int i = 0; i < 100 && !heard; ++i) {
          ok(co_await pool.exec(cmd("PUBLISH", "sentinel:hung", "p" + std::to_string(i))));
          heard = co_await got.wait_for("p" + std::to_string(i), 100ms);
        }
        EXPECT_TRUE(heard);
        sub.stop();
        pool.stop();
      },
      120s);
  setup.master().kill9();
}

// The master turns replica under a live connection without the sentinels' doing
// (REPLICAOF to a server they do not monitor): the next write gets -READONLY, the
// connection drops, asks the sentinels, and refuses the server they still name
// (ROLE: slave) until it is a master again.
TEST(RedisSentinel, ReadonlyDropsTheConnectionAndRoleKeepsItOff) {
  SentinelSetup setup;
  setup.start();
  herald::test::RedisServer other;
  other.start();
  run_coro([&](asio::any_io_executor ex) -> awaitable<void> {
    Connection conn(ex, test_config(setup.url()));
    conn.start();
    CO_ASSERT_TRUE(co_await conn.wait_connected(10s));
    ok(co_await conn.exec(cmd("SET", "sentinel:ro", "1")));
    EXPECT_EQ(conn.stats().connects, 1u);

    EXPECT_EQ(setup.master().cli({"REPLICAOF", "127.0.0.1", std::to_string(other.port())}), "OK");
    auto r = co_await conn.exec(cmd("SET", "sentinel:ro", "2"));
    CO_ASSERT_TRUE(r.has_value()) << r.error().message();
    EXPECT_TRUE(r->is_error() && r->str.starts_with("READONLY")) << to_string(*r);
    // Dropped, rediscovered, and refused: the server is not a master.
    for (int i = 0; i < 200 && conn.stats().last_connect_error != Errc::not_master; ++i)
      co_await herald::test::sleep_for(25ms);
    EXPECT_EQ(conn.stats().last_connect_error, Errc::not_master)
        << conn.stats().last_connect_error.message();
    EXPECT_FALSE(conn.connected());

    EXPECT_EQ(setup.master().cli({"REPLICAOF", "NO", "ONE"}), "OK");
    CO_ASSERT_TRUE(co_await conn.wait_connected(10s));
    EXPECT_EQ(conn.stats().connects, 2u);
    auto again = ok(co_await conn.exec(cmd("SET", "sentinel:ro", "3")));
    EXPECT_TRUE(again.is_string()) << to_string(again);
    conn.stop();
  });
}

}  // namespace
}  // namespace herald::redis
