// Connection against a real redis-server: reply types, transactions, AUTH/ACL/SELECT,
// unix sockets, pipelining order under heavy concurrency, request timeouts, a crash
// (kill -9) with requests in flight, and recovery after restart.
#include <herald/redis/connection.hpp>

#include "support/redis_server.hpp"
#include "support/redis_test_util.hpp"
#include "support/run_coro.hpp"

#include <gtest/gtest.h>

#include <boost/asio/detached.hpp>

#include <chrono>
#include <string>
#include <vector>

namespace herald::redis {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using herald::test::cmd;
using herald::test::ok;
using herald::test::RedisServer;
using herald::test::run_coro;
using herald::test::Signal;
using herald::test::str;
using herald::test::test_config;
using namespace std::chrono_literals;

class ConnectionTest : public herald::test::RedisServerTest {};

TEST_F(ConnectionTest, BasicCommandsAndReplyTypes) {
  run_coro([&](asio::any_io_executor ex) -> awaitable<void> {
    Connection c(ex, test_config(server_.url()));
    c.start();
    CO_ASSERT_TRUE(co_await c.wait_connected(5s));
    EXPECT_TRUE(c.connected());

    auto set = ok(co_await c.exec(cmd("SET", "k", "v")), "SET");
    EXPECT_EQ(set, Reply::make_status("OK"));
    EXPECT_EQ(str(ok(co_await c.exec(cmd("GET", "k")), "GET")), "v");
    EXPECT_TRUE(ok(co_await c.exec(cmd("GET", "missing")), "GET missing").is_nil());
    EXPECT_EQ(ok(co_await c.exec(cmd("INCR", "n")), "INCR"), Reply::make_integer(1));
    EXPECT_EQ(ok(co_await c.exec(cmd("INCRBY", "n", 41)), "INCRBY"), Reply::make_integer(42));

    Request push;
    push.push_range("RPUSH", {"list"}, std::vector<std::string>{"a", "b", "c"});
    EXPECT_EQ(ok(co_await c.exec(push)), Reply::make_integer(3));
    auto range = ok(co_await c.exec(cmd("LRANGE", "list", 0, -1)), "LRANGE");
    EXPECT_EQ(range, Reply::make_array({Reply::make_string("a"), Reply::make_string("b"),
                                        Reply::make_string("c")}));
    auto empty = ok(co_await c.exec(cmd("LRANGE", "nolist", 0, -1)));
    EXPECT_TRUE(empty.is_array());
    EXPECT_TRUE(empty.elements.empty());

    // An error reply is a value, and the connection carries on.
    auto wrong = ok(co_await c.exec(cmd("INCR", "list")), "INCR list");
    EXPECT_TRUE(wrong.is_error()) << to_string(wrong);
    EXPECT_EQ(wrong.str.rfind("WRONGTYPE", 0), 0u) << wrong.str;
    EXPECT_EQ(str(ok(co_await c.exec(cmd("ECHO", "still here")))), "still here");

    // Binary-safe round trip.
    const std::string bin("a\r\nb\0c\xff", 7);
    ok(co_await c.exec(cmd("SET", "bin", bin)));
    EXPECT_EQ(str(ok(co_await c.exec(cmd("GET", "bin")))), bin);

    EXPECT_EQ(c.stats().connects, 1u);
    EXPECT_EQ(c.stats().connect_failures, 0u);
    EXPECT_GE(c.stats().requests, 12u);
    EXPECT_EQ(c.in_flight(), 0u);
    c.stop();
    EXPECT_FALSE(c.connected());
  });
}

TEST_F(ConnectionTest, ClientNameIsSet) {
  run_coro([&](asio::any_io_executor ex) -> awaitable<void> {
    auto cfg = test_config(server_.url());
    cfg.client_name = "herald-test";
    Connection c(ex, cfg);
    c.start();
    CO_ASSERT_TRUE(co_await c.wait_connected(5s));
    EXPECT_EQ(str(ok(co_await c.exec(cmd("CLIENT", "GETNAME")))), "herald-test");
  });
}

TEST_F(ConnectionTest, MultiExecViaExecAll) {
  run_coro([&](asio::any_io_executor ex) -> awaitable<void> {
    Connection c(ex, test_config(server_.url()));
    c.start();
    CO_ASSERT_TRUE(co_await c.wait_connected(5s));
    Request tx;
    tx.push("MULTI").push("SET", "a", "1").push("INCR", "a").push("EXEC");
    auto replies = ok(co_await c.exec_all(tx), "MULTI/EXEC");
    CO_ASSERT_EQ(replies.size(), 4u);
    EXPECT_EQ(replies[0], Reply::make_status("OK"));
    EXPECT_EQ(replies[1], Reply::make_status("QUEUED"));
    EXPECT_EQ(replies[2], Reply::make_status("QUEUED"));
    EXPECT_EQ(replies[3], Reply::make_array({Reply::make_status("OK"), Reply::make_integer(2)}));

    // exec() gives the last reply: EXEC's array.
    Request tx2;
    tx2.push("MULTI").push("INCR", "a").push("GET", "a").push("EXEC");
    auto last = ok(co_await c.exec(tx2), "exec(MULTI..EXEC)");
    EXPECT_EQ(last, Reply::make_array({Reply::make_integer(3), Reply::make_string("3")}));
  });
}

TEST(ConnectionAuth, PasswordFromUrl) {
  RedisServer server({"--requirepass", "s3cr%t"});
  server.start();
  run_coro([&](asio::any_io_executor ex) -> awaitable<void> {
    Connection c(ex, test_config("redis://:s3cr%25t@127.0.0.1:" + std::to_string(server.port())));
    c.start();
    CO_ASSERT_TRUE(co_await c.wait_connected(5s));
    EXPECT_EQ(ok(co_await c.exec(cmd("PING"))), Reply::make_status("PONG"));
    EXPECT_EQ(str(ok(co_await c.exec(cmd("ACL", "WHOAMI")))), "default");
  });
}

TEST(ConnectionAuth, AclUser) {
  RedisServer server;
  server.start();
  ASSERT_EQ(server.cli({"ACL", "SETUSER", "alice", "on", ">wonder land", "~app:*", "+@all"}), "OK");
  run_coro([&](asio::any_io_executor ex) -> awaitable<void> {
    Connection c(
        ex, test_config("redis://alice:wonder%20land@127.0.0.1:" + std::to_string(server.port())));
    c.start();
    CO_ASSERT_TRUE(co_await c.wait_connected(5s));
    EXPECT_EQ(str(ok(co_await c.exec(cmd("ACL", "WHOAMI")))), "alice");
    EXPECT_EQ(ok(co_await c.exec(cmd("SET", "app:x", 1))), Reply::make_status("OK"));
    // The ACL applies: a key outside ~app:* is refused (as a value).
    auto denied = ok(co_await c.exec(cmd("SET", "other", 1)));
    EXPECT_TRUE(denied.is_error()) << to_string(denied);
  });
}

TEST(ConnectionAuth, WrongPasswordNeverConnects) {
  RedisServer server({"--requirepass", "right"});
  server.start();
  run_coro([&](asio::any_io_executor ex) -> awaitable<void> {
    auto cfg = test_config("redis://:wrong@127.0.0.1:" + std::to_string(server.port()));
    Connection c(ex, cfg);
    c.start();
    EXPECT_FALSE(co_await c.wait_connected(1s));
    EXPECT_FALSE(c.connected());
    EXPECT_EQ(c.stats().connects, 0u);
    EXPECT_GE(c.stats().connect_failures, 1u);
    EXPECT_EQ(c.stats().last_connect_error, Errc::handshake_failed)
        << c.stats().last_connect_error.message();
    auto r = co_await c.exec(cmd("PING"));
    CO_ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error(), Errc::not_connected) << r.error().message();
    EXPECT_GE(c.stats().rejected, 1u);
  });
}

TEST_F(ConnectionTest, SelectDbFromUrl) {
  run_coro([&](asio::any_io_executor ex) -> awaitable<void> {
    Connection c(ex, test_config(server_.url() + "/3"));
    c.start();
    CO_ASSERT_TRUE(co_await c.wait_connected(5s));
    ok(co_await c.exec(cmd("SET", "in3", "yes")));
    auto info = str(ok(co_await c.exec(cmd("CLIENT", "INFO"))));
    EXPECT_NE(info.find(" db=3 "), std::string::npos) << info;
  });
  EXPECT_EQ(server_.cli({"-n", "3", "GET", "in3"}), "yes");
  EXPECT_EQ(server_.cli({"-n", "0", "EXISTS", "in3"}), "0");
}

TEST(ConnectionUnix, UnixSocketWithDb) {
  RedisServer server({"--unixsocket", "redis.sock", "--unixsocketperm", "700"});
  server.start();
  ASSERT_FALSE(server.unix_socket_path().empty());
  run_coro([&](asio::any_io_executor ex) -> awaitable<void> {
    Connection c(ex, test_config("unix://" + server.unix_socket_path()));
    c.start();
    CO_ASSERT_TRUE(co_await c.wait_connected(5s));
    EXPECT_EQ(ok(co_await c.exec(cmd("PING"))), Reply::make_status("PONG"));
    auto info = str(ok(co_await c.exec(cmd("CLIENT", "INFO"))));
    EXPECT_NE(info.find("laddr=" + server.unix_socket_path()), std::string::npos) << info;

    Connection c2(ex, test_config("unix://" + server.unix_socket_path() + "?db=2"));
    c2.start();
    CO_ASSERT_TRUE(co_await c2.wait_connected(5s));
    ok(co_await c2.exec(cmd("SET", "u", "2")));
  });
  EXPECT_EQ(server.cli({"-n", "2", "GET", "u"}), "2");
}

// 10,000 INCRs issued by 10,000 concurrent coroutines: the reply of the i-th issued
// command must be i+1, i.e. no reply is ever handed to the wrong caller.
TEST_F(ConnectionTest, TenThousandConcurrentRequestsKeepOrder) {
  run_coro([&](asio::any_io_executor ex) -> awaitable<void> {
    Connection c(ex, test_config(server_.url()));
    c.start();
    CO_ASSERT_TRUE(co_await c.wait_connected(5s));
    constexpr int kN = 10000;
    std::vector<long long> got(kN, -1);
    int done = 0;
    Signal all_done(ex);
    for (int i = 0; i < kN; ++i) {
      asio::co_spawn(
          ex,
          [&, i]() -> awaitable<void> {
            auto r = co_await c.exec(cmd("INCR", "n"));
            if (r && r->is_integer()) got[i] = r->integer;
            ++done;
            all_done.notify();
          },
          asio::detached);
    }
    EXPECT_TRUE(co_await all_done.wait([&] { return done == kN; }, 60s)) << done << " done";
    int wrong = 0;
    for (int i = 0; i < kN; ++i)
      if (got[i] != i + 1 && wrong++ < 5) ADD_FAILURE() << "request " << i << " got " << got[i];
    EXPECT_EQ(wrong, 0);
    EXPECT_EQ(c.in_flight(), 0u);
    // The spawned coroutines reference this frame: none may outlive it.
    c.stop();
    EXPECT_TRUE(co_await all_done.wait([&] { return done == kN; }, 5s));
  });
}

TEST_F(ConnectionTest, OneRequestOfTenThousandCommands) {
  run_coro([&](asio::any_io_executor ex) -> awaitable<void> {
    Connection c(ex, test_config(server_.url()));
    c.start();
    CO_ASSERT_TRUE(co_await c.wait_connected(5s));
    constexpr int kN = 10000;
    Request r;
    for (int i = 0; i < kN; ++i) r.push("INCR", "m");
    auto replies = ok(co_await c.exec_all(r), "exec_all");
    CO_ASSERT_EQ(replies.size(), static_cast<std::size_t>(kN));
    for (int i = 0; i < kN; ++i) {
      if (replies[i] != Reply::make_integer(i + 1)) {
        ADD_FAILURE() << "reply " << i << " is " << to_string(replies[i]);
        break;
      }
    }
    auto last = ok(co_await c.exec(r), "exec");
    EXPECT_EQ(last, Reply::make_integer(2 * kN));
  });
}

// Concurrent mixed requests, each checking that it got its own answer back.
TEST_F(ConnectionTest, ManyConcurrentCallersGetTheirOwnReplies) {
  run_coro([&](asio::any_io_executor ex) -> awaitable<void> {
    Connection c(ex, test_config(server_.url()));
    c.start();
    CO_ASSERT_TRUE(co_await c.wait_connected(5s));
    constexpr int kN = 3000;
    int done = 0, mismatches = 0;
    Signal all_done(ex);
    for (int i = 0; i < kN; ++i) {
      asio::co_spawn(
          ex,
          [&, i]() -> awaitable<void> {
            const std::string key = "key:" + std::to_string(i);
            const std::string val = "value-" + std::to_string(i * 7);
            auto s = co_await c.exec(cmd("SET", key, val));
            Request two;
            two.push("GET", key).push("STRLEN", key);
            auto g = co_await c.exec_all(two);
            if (!s || !g || g->size() != 2 || (*g)[0] != Reply::make_string(val) ||
                (*g)[1] != Reply::make_integer(static_cast<long long>(val.size())))
              ++mismatches;
            ++done;
            all_done.notify();
          },
          asio::detached);
    }
    EXPECT_TRUE(co_await all_done.wait([&] { return done == kN; }, 60s)) << done << " done";
    EXPECT_EQ(mismatches, 0);
    c.stop();  // the spawned coroutines reference this frame: none may outlive it
    EXPECT_TRUE(co_await all_done.wait([&] { return done == kN; }, 5s));
  });
}

TEST_F(ConnectionTest, RequestTimeoutKeepsLaterRepliesAligned) {
  run_coro([&](asio::any_io_executor ex) -> awaitable<void> {
    Connection c(ex, test_config(server_.url()));
    c.start();
    CO_ASSERT_TRUE(co_await c.wait_connected(5s));
    auto blpop = cmd("BLPOP", "missing", 1);
    blpop.timeout = 200ms;
    const auto t0 = std::chrono::steady_clock::now();
    auto r = co_await c.exec(blpop);
    const auto waited = std::chrono::steady_clock::now() - t0;
    CO_ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error(), Errc::timeout) << r.error().message();
    EXPECT_GE(waited, 150ms);
    EXPECT_LT(waited, 900ms);  // well before BLPOP's own 1 s answer
    EXPECT_EQ(c.stats().timeouts, 1u);
    EXPECT_GE(c.in_flight(), 1u);  // BLPOP's reply is still owed

    // BLPOP's late nil must be swallowed, not given to these.
    EXPECT_EQ(str(ok(co_await c.exec(cmd("ECHO", "mine")), "ECHO after timeout")), "mine");
    ok(co_await c.exec(cmd("SET", "a", "1")));
    EXPECT_EQ(str(ok(co_await c.exec(cmd("GET", "a")))), "1");
    EXPECT_EQ(c.in_flight(), 0u);
    EXPECT_TRUE(c.connected());
    EXPECT_EQ(c.stats().connects, 1u);
  });
}

TEST_F(ConnectionTest, TimedOutMultiCommandRequestKeepsAlignment) {
  run_coro([&](asio::any_io_executor ex) -> awaitable<void> {
    Connection c(ex, test_config(server_.url()));
    c.start();
    CO_ASSERT_TRUE(co_await c.wait_connected(5s));
    // Two replies owed by the abandoned request: both must be swallowed.
    Request slow;
    slow.push("BLPOP", "missing", 1).push("ECHO", "abandoned");
    slow.timeout = 200ms;
    auto r = co_await c.exec_all(slow);
    CO_ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error(), Errc::timeout);
    Request next;
    next.push("ECHO", "a").push("ECHO", "b");
    auto replies = ok(co_await c.exec_all(next), "exec_all after timeout");
    CO_ASSERT_EQ(replies.size(), 2u);
    EXPECT_EQ(str(replies[0]), "a");
    EXPECT_EQ(str(replies[1]), "b");
  });
}

TEST_F(ConnectionTest, LargeValuesThroughTinyReads) {
  run_coro([&](asio::any_io_executor ex) -> awaitable<void> {
    auto cfg = test_config(server_.url());
    cfg.read_chunk_bytes = 61;  // every reply arrives split across many reads
    Connection c(ex, cfg);
    c.start();
    CO_ASSERT_TRUE(co_await c.wait_connected(5s));
    std::string big(1 << 20, '\0');
    for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 31 + 7);
    ok(co_await c.exec(cmd("SET", "big", big)), "SET 1 MiB");
    Request r;
    for (int i = 0; i < 500; ++i) r.push("INCR", "n");
    r.push("GET", "big");
    auto replies = ok(co_await c.exec_all(r), "pipeline with a large reply");
    CO_ASSERT_EQ(replies.size(), 501u);
    EXPECT_EQ(replies[499], Reply::make_integer(500));
    EXPECT_TRUE(replies[500] == Reply::make_string(big)) << "1 MiB value corrupted";
  });
}

TEST(ConnectionLifecycle, NotStartedMeansNotConnected) {
  run_coro([&](asio::any_io_executor ex) -> awaitable<void> {
    Connection c(ex, test_config("redis://127.0.0.1:1"));
    EXPECT_FALSE(c.connected());
    EXPECT_FALSE(co_await c.wait_connected(50ms));
    auto r = co_await c.exec(cmd("PING"));
    CO_ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error(), Errc::not_connected);
    EXPECT_EQ(c.stats().rejected, 1u);
    EXPECT_EQ(c.in_flight(), 0u);
    c.stop();  // stop without start is harmless
  });
}

TEST_F(ConnectionTest, ConfigRequestTimeoutApplies) {
  run_coro([&](asio::any_io_executor ex) -> awaitable<void> {
    auto cfg = test_config(server_.url());
    cfg.request_timeout = 150ms;
    Connection c(ex, cfg);
    c.start();
    CO_ASSERT_TRUE(co_await c.wait_connected(5s));
    auto r = co_await c.exec(cmd("BLPOP", "missing", 1));
    CO_ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error(), Errc::timeout);
    // A per-request timeout overrides the default for a longer blocking call.
    auto longer = cmd("BLPOP", "missing", 1);
    longer.timeout = 3s;
    auto nil = co_await c.exec(longer);
    CO_ASSERT_TRUE(nil.has_value()) << nil.error().message();
    EXPECT_TRUE(nil->is_nil()) << to_string(*nil);
  });
}

// The acceptance bound: after kill -9 every in-flight request fails within 1 s;
// then exec fails fast, and the connection comes back by itself after restart.
TEST_F(ConnectionTest, KillNineFailsInFlightRequestsThenRecovers) {
  run_coro([&](asio::any_io_executor ex) -> awaitable<void> {
    Connection c(ex, test_config(server_.url()));
    c.start();
    CO_ASSERT_TRUE(co_await c.wait_connected(5s));

    // The BLPOP blocks this client server-side, so every command behind it stays in
    // flight until the crash.
    constexpr int kN = 2000;
    std::vector<boost::system::error_code> errors(kN + 1);
    int done = 0, succeeded = 0;
    Signal all_done(ex);
    auto issue = [&](Request req, int slot) -> awaitable<void> {
      req.timeout = 30s;
      auto r = co_await c.exec(req);
      if (r) {
        ++succeeded;
      } else {
        errors[slot] = r.error();
      }
      ++done;
      all_done.notify();
    };
    asio::co_spawn(ex, issue(cmd("BLPOP", "never", 0), kN), asio::detached);
    for (int i = 0; i < kN; ++i) asio::co_spawn(ex, issue(cmd("INCR", "x"), i), asio::detached);
    // Let the spawned coroutines run and the writes go out (the test is valid
    // either way: unsent requests must fail too).
    co_await herald::test::sleep_for(200ms);
    EXPECT_EQ(done, 0);
    EXPECT_EQ(c.in_flight(), static_cast<std::size_t>(kN + 1));

    const auto t0 = std::chrono::steady_clock::now();
    server_.kill9();
    const bool all_failed = co_await all_done.wait([&] { return done == kN + 1; }, 1s);
    const auto took = std::chrono::steady_clock::now() - t0;
    EXPECT_TRUE(all_failed) << "only " << done << " of " << kN + 1
                            << " in-flight requests completed within 1 s of kill -9";
    if (!all_failed) {
      // Diagnose how late they are; stop() makes sure none outlives this frame.
      if (!co_await all_done.wait([&] { return done == kN + 1; }, 10s)) c.stop();
      co_await all_done.wait([&] { return done == kN + 1; }, 5s);
      ADD_FAILURE() << "after waiting longer: " << done << " completed";
      co_return;
    }
    EXPECT_EQ(succeeded, 0);
    int wrong = 0;
    for (auto& e : errors)
      if (e != Errc::connection_lost && wrong++ < 3)
        ADD_FAILURE() << "expected connection_lost, got " << e.message();
    RecordProperty(
        "kill9_fail_all_ms",
        static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(took).count()));
    EXPECT_GE(c.stats().lost, static_cast<std::uint64_t>(kN + 1));
    EXPECT_FALSE(c.connected());
    EXPECT_EQ(c.in_flight(), 0u);

    // Down: fail fast, do not queue.
    const auto t1 = std::chrono::steady_clock::now();
    auto down = co_await c.exec(cmd("PING"));
    CO_ASSERT_FALSE(down.has_value());
    EXPECT_EQ(down.error(), Errc::not_connected) << down.error().message();
    EXPECT_LT(std::chrono::steady_clock::now() - t1, 100ms);

    server_.restart();
    CO_ASSERT_TRUE(co_await c.wait_connected(5s));
    ok(co_await c.exec(cmd("SET", "back", "yes")), "SET after restart");
    EXPECT_EQ(str(ok(co_await c.exec(cmd("GET", "back")))), "yes");
    EXPECT_EQ(c.stats().connects, 2u);
  });
}

TEST_F(ConnectionTest, StopFailsPendingWithClosed) {
  run_coro([&](asio::any_io_executor ex) -> awaitable<void> {
    Connection c(ex, test_config(server_.url()));
    c.start();
    CO_ASSERT_TRUE(co_await c.wait_connected(5s));
    boost::system::error_code err;
    bool finished = false;
    Signal sig(ex);
    asio::co_spawn(
        ex,
        [&]() -> awaitable<void> {
          auto req = cmd("BLPOP", "never", 0);
          req.timeout = 30s;
          auto r = co_await c.exec(req);
          if (!r) err = r.error();
          finished = true;
          sig.notify();
        },
        asio::detached);
    co_await herald::test::sleep_for(100ms);
    EXPECT_FALSE(finished);
    c.stop();
    EXPECT_TRUE(co_await sig.wait([&] { return finished; }, 1s));
    EXPECT_EQ(err, Errc::closed) << err.message();
    auto after = co_await c.exec(cmd("PING"));
    CO_ASSERT_FALSE(after.has_value());
    EXPECT_TRUE(after.error() == Errc::closed || after.error() == Errc::not_connected)
        << after.error().message();
  });
}

TEST_F(ConnectionTest, ServerSideClientKillReconnects) {
  run_coro([&](asio::any_io_executor ex) -> awaitable<void> {
    auto cfg = test_config(server_.url());
    cfg.client_name = "victim";
    Connection c(ex, cfg);
    c.start();
    CO_ASSERT_TRUE(co_await c.wait_connected(5s));
    Connection admin(ex, test_config(server_.url()));
    admin.start();
    CO_ASSERT_TRUE(co_await admin.wait_connected(5s));
    const long long id = ok(co_await c.exec(cmd("CLIENT", "ID"))).integer;
    auto killed = ok(co_await admin.exec(cmd("CLIENT", "KILL", "ID", id)));
    EXPECT_EQ(killed, Reply::make_integer(1));
    // The victim notices EOF and reconnects by itself. No event says "reconnected"
    // (wait_connected() is true until the EOF is read), so poll the counter.
    for (int i = 0; i < 500 && c.stats().connects < 2; ++i) co_await herald::test::sleep_for(10ms);
    EXPECT_EQ(c.stats().connects, 2u);
    CO_ASSERT_TRUE(co_await c.wait_connected(5s));
    EXPECT_EQ(ok(co_await c.exec(cmd("PING"))), Reply::make_status("PONG"));
  });
}

}  // namespace
}  // namespace herald::redis
