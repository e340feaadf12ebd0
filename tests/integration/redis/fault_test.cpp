// Connection against peers that misbehave (tests/support/fake_server.hpp): a server
// that accepts and never answers (connect_timeout), one that answers with bytes that
// are not RESP (protocol_error, drop, reconnect), and no server at all.
#include <herald/redis/connection.hpp>

#include "support/fake_server.hpp"
#include "support/free_port.hpp"
#include "support/redis_test_util.hpp"
#include "support/run_coro.hpp"

#include <gtest/gtest.h>

#include <string>

namespace herald::redis {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using herald::test::cmd;
using herald::test::FakeServer;
using herald::test::run_coro;
using herald::test::test_config;
using namespace std::chrono_literals;

TEST(ConnectionFaults, HandshakeThatNeverAnswersTimesOut) {
  FakeServer silent(std::nullopt);
  run_coro([&](asio::any_io_executor ex) -> awaitable<void> {
    // With a password the connection sends AUTH and waits for an answer that
    // never comes: only connect_timeout can end the attempt.
    auto cfg = test_config("redis://:pw@127.0.0.1:" + std::to_string(silent.port()));
    cfg.connect_timeout = 200ms;
    Connection c(ex, cfg);
    c.start();
    const auto t0 = std::chrono::steady_clock::now();
    EXPECT_FALSE(co_await c.wait_connected(1500ms));
    EXPECT_GE(std::chrono::steady_clock::now() - t0, 1400ms);
    EXPECT_FALSE(c.connected());
    EXPECT_EQ(c.stats().connects, 0u);
    // 1.5 s of 200 ms attempts separated by <= 200 ms backoff: several failures.
    EXPECT_GE(c.stats().connect_failures, 2u);
    EXPECT_GE(silent.accepted(), 2u);

    const auto t1 = std::chrono::steady_clock::now();
    auto r = co_await c.exec(cmd("PING"));
    EXPECT_LT(std::chrono::steady_clock::now() - t1, 100ms);
    CO_ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error(), Errc::not_connected) << r.error().message();
    c.stop();
  });
}

TEST(ConnectionFaults, NoServerFailsFastAndKeepsRetrying) {
  const auto port = herald::test::free_loopback_port();  // nobody listens here
  run_coro([&](asio::any_io_executor ex) -> awaitable<void> {
    Connection c(ex, test_config("redis://127.0.0.1:" + std::to_string(port)));
    c.start();
    EXPECT_FALSE(co_await c.wait_connected(500ms));
    EXPECT_GE(c.stats().connect_failures, 2u);  // refused at once, retried with backoff
    auto r = co_await c.exec(cmd("PING"));
    CO_ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error(), Errc::not_connected);
    EXPECT_GE(c.stats().rejected, 1u);
    c.stop();
  });
}

// Answers every command with `garbage`: each exec fails with protocol_error, the
// connection drops and reconnects by itself, and nothing crashes.
void expect_protocol_errors(const std::string& garbage) {
  SCOPED_TRACE("garbage: " + garbage);
  FakeServer liar(garbage);
  run_coro([&](asio::any_io_executor ex) -> awaitable<void> {
    auto cfg = test_config(liar.url());
    cfg.client_name = "";  // no handshake: the connection is up at TCP connect
    Connection c(ex, cfg);
    c.start();
    for (int round = 0; round < 3; ++round) {
      CO_ASSERT_TRUE(co_await c.wait_connected(5s));
      auto r = co_await c.exec(cmd("PING"));
      CO_ASSERT_FALSE(r.has_value()) << "round " << round << ": got " << to_string(*r);
      EXPECT_EQ(r.error(), Errc::protocol_error) << r.error().message();
    }
    EXPECT_GE(c.stats().connects, 3u);
    EXPECT_GE(liar.accepted(), 3u);
    c.stop();
  });
}

TEST(ConnectionFaults, UnknownTypeByteIsProtocolError) {
  expect_protocol_errors("?bogus\r\n");
}

TEST(ConnectionFaults, BadArrayLengthIsProtocolError) {
  expect_protocol_errors("*-5x\r\n");
}

TEST(ConnectionFaults, GarbageAfterAValidReplyIsProtocolError) {
  // The first reply is fine and goes to the request; the rest poisons the stream.
  FakeServer liar(std::string("+OK\r\n") + "%%%\r\n");
  run_coro([&](asio::any_io_executor ex) -> awaitable<void> {
    auto cfg = test_config(liar.url());
    cfg.client_name = "";
    Connection c(ex, cfg);
    c.start();
    CO_ASSERT_TRUE(co_await c.wait_connected(5s));
    Request two;
    two.push("PING").push("PING");
    auto r = co_await c.exec_all(two);
    CO_ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error(), Errc::protocol_error) << r.error().message();
    c.stop();
  });
}

TEST(ConnectionFaults, RepliesNobodyAskedForAreAProtocolError) {
  // Two replies per command: the second has no request waiting for it.
  FakeServer liar(std::string("+OK\r\n+EXTRA\r\n"));
  run_coro([&](asio::any_io_executor ex) -> awaitable<void> {
    auto cfg = test_config(liar.url());
    cfg.client_name = "";
    Connection c(ex, cfg);
    c.start();
    CO_ASSERT_TRUE(co_await c.wait_connected(5s));
    auto first = co_await c.exec(cmd("PING"));
    // The first reply belongs to the request; the extra one must drop the link
    // rather than be handed to the next caller.
    if (first) {
      EXPECT_EQ(*first, Reply::make_status("OK"));
    }
    for (int i = 0; i < 200 && c.stats().connects < 2; ++i) co_await herald::test::sleep_for(10ms);
    EXPECT_GE(c.stats().connects, 2u) << "the connection kept a desynchronised stream";
    CO_ASSERT_TRUE(co_await c.wait_connected(5s));
    auto second = co_await c.exec(cmd("PING"));
    if (second) {
      EXPECT_NE(*second, Reply::make_status("EXTRA"));
    }
    c.stop();
  });
}

}  // namespace
}  // namespace herald::redis
