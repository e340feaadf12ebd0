// Subscriber against a real redis-server: SUBSCRIBE / PSUBSCRIBE / SSUBSCRIBE
// delivery, unsubscribe, flush() as a confirmation barrier, and automatic
// resubscription after a crash (kill -9) with the state events the owner relies on.
#include <herald/redis/connection.hpp>
#include <herald/redis/subscriber.hpp>

#include "support/redis_server.hpp"
#include "support/redis_test_util.hpp"
#include "support/run_coro.hpp"

#include <gtest/gtest.h>

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
using herald::test::test_config;
using namespace std::chrono_literals;
using Kind = PubSubMessage::Kind;

// A message copied out of the handler (its views die with the call).
struct Got {
  Kind kind;
  std::string pattern, channel, payload;
  friend bool operator==(const Got&, const Got&) = default;
  friend std::ostream& operator<<(std::ostream& os, const Got& g) {
    return os << "{" << static_cast<int>(g.kind) << " '" << g.pattern << "' '" << g.channel << "' '"
              << g.payload << "'}";
  }
};

// Records everything a Subscriber reports and wakes the test on each event.
struct Recorder {
  explicit Recorder(asio::any_io_executor ex) : signal(std::move(ex)) {}
  void attach(Subscriber& sub) {
    sub.on_message([this](const PubSubMessage& m) {
      messages.push_back(
          {m.kind, std::string(m.pattern), std::string(m.channel), std::string(m.payload)});
      signal.notify();
    });
    sub.on_state([this](SubscriberState s) {
      states.push_back(s);
      signal.notify();
    });
  }
  awaitable<bool> wait_messages(std::size_t n, std::chrono::milliseconds t = 5s) {
    return signal.wait([this, n] { return messages.size() >= n; }, t);
  }
  awaitable<bool> wait_state(SubscriberState s, std::chrono::milliseconds t = 5s) {
    return signal.wait([this, s] { return !states.empty() && states.back() == s; }, t);
  }
  std::vector<Got> messages;
  std::vector<SubscriberState> states;
  Signal signal;
};

long long published(const Result<Reply>& r) {
  return r && r->is_integer() ? r->integer : -1;
}

class SubscriberTest : public herald::test::RedisServerTest {};

TEST_F(SubscriberTest, ChannelsPatternsAndShardChannels) {
  run_coro([&](asio::any_io_executor ex) -> awaitable<void> {
    Connection pub(ex, test_config(server_.url()));
    pub.start();
    Recorder rec(ex);  // outlives sub, whose handlers point into it
    Subscriber sub(ex, test_config(server_.url()));
    rec.attach(sub);
    // Subscriptions made before start() are sent on connect.
    sub.subscribe({"ch1", "ch2"});
    sub.psubscribe({"news.*"});
    sub.ssubscribe({"sch"});
    EXPECT_EQ(sub.subscription_count(), 4u);
    sub.start();
    CO_ASSERT_TRUE(co_await sub.wait_connected(5s));
    CO_ASSERT_TRUE(co_await pub.wait_connected(5s));
    EXPECT_TRUE(co_await rec.wait_state(SubscriberState::connected));
    ok(co_await sub.flush(), "flush");

    EXPECT_EQ(published(co_await pub.exec(cmd("PUBLISH", "ch1", "hello"))), 1);
    EXPECT_EQ(published(co_await pub.exec(cmd("PUBLISH", "news.sports", "goal"))), 1);
    EXPECT_EQ(published(co_await pub.exec(cmd("SPUBLISH", "sch", "sharded"))), 1);
    const std::string bin("a\0\r\nb", 5);
    EXPECT_EQ(published(co_await pub.exec(cmd("PUBLISH", "ch2", bin))), 1);
    CO_ASSERT_TRUE(co_await rec.wait_messages(4));
    EXPECT_EQ(rec.messages, (std::vector<Got>{{Kind::message, "", "ch1", "hello"},
                                              {Kind::pmessage, "news.*", "news.sports", "goal"},
                                              {Kind::smessage, "", "sch", "sharded"},
                                              {Kind::message, "", "ch2", bin}}));

    // Unsubscribe: once flushed, the server no longer counts us as a receiver.
    sub.unsubscribe({"ch1"});
    sub.punsubscribe({"news.*"});
    sub.sunsubscribe({"sch"});
    EXPECT_EQ(sub.subscription_count(), 1u);
    ok(co_await sub.flush(), "flush after unsubscribe");
    EXPECT_EQ(published(co_await pub.exec(cmd("PUBLISH", "ch1", "x"))), 0);
    EXPECT_EQ(published(co_await pub.exec(cmd("PUBLISH", "news.sports", "x"))), 0);
    EXPECT_EQ(published(co_await pub.exec(cmd("SPUBLISH", "sch", "x"))), 0);
    EXPECT_EQ(published(co_await pub.exec(cmd("PUBLISH", "ch2", "still"))), 1);
    CO_ASSERT_TRUE(co_await rec.wait_messages(5));
    EXPECT_EQ(rec.messages.size(), 5u);
    EXPECT_EQ(rec.messages.back(), (Got{Kind::message, "", "ch2", "still"}));

    // flush() is a barrier: right after it, a new subscription is live server-side.
    sub.subscribe({"late"});
    ok(co_await sub.flush(), "flush after late subscribe");
    EXPECT_EQ(published(co_await pub.exec(cmd("PUBLISH", "late", "on time"))), 1);
    CO_ASSERT_TRUE(co_await rec.wait_messages(6));
    EXPECT_EQ(rec.messages.back(), (Got{Kind::message, "", "late", "on time"}));

    // Subscribing twice is one subscription; unsubscribing an unknown one is a no-op.
    sub.subscribe({"ch2"});
    sub.unsubscribe({"never-subscribed"});
    ok(co_await sub.flush(), "flush after duplicates");
    EXPECT_EQ(sub.subscription_count(), 2u);
    EXPECT_EQ(published(co_await pub.exec(cmd("PUBLISH", "ch2", "once"))), 1);
    CO_ASSERT_TRUE(co_await rec.wait_messages(7));
    EXPECT_EQ(rec.messages.back(), (Got{Kind::message, "", "ch2", "once"}));

    EXPECT_EQ(rec.states, std::vector<SubscriberState>{SubscriberState::connected});
    sub.stop();
    EXPECT_FALSE(sub.connected());
    // Stopped: the server lets go of the subscriptions.
    bool released = false;
    for (int i = 0; i < 200 && !released; ++i) {
      released = published(co_await pub.exec(cmd("PUBLISH", "ch2", "gone"))) == 0;
      if (!released) co_await herald::test::sleep_for(10ms);
    }
    EXPECT_TRUE(released);
    pub.stop();
  });
}

TEST_F(SubscriberTest, ManyMessagesArriveInOrder) {
  run_coro([&](asio::any_io_executor ex) -> awaitable<void> {
    Connection pub(ex, test_config(server_.url()));
    pub.start();
    Recorder rec(ex);  // outlives sub, whose handlers point into it
    Subscriber sub(ex, test_config(server_.url()));
    rec.attach(sub);
    sub.start();
    sub.subscribe({"bulk"});
    CO_ASSERT_TRUE(co_await sub.wait_connected(5s));
    CO_ASSERT_TRUE(co_await pub.wait_connected(5s));
    ok(co_await sub.flush());
    constexpr int kN = 5000;
    Request many;
    for (int i = 0; i < kN; ++i) many.push("PUBLISH", "bulk", i);
    ok(co_await pub.exec_all(many));
    CO_ASSERT_TRUE(co_await rec.wait_messages(kN, 30s));
    for (int i = 0; i < kN; ++i) {
      if (rec.messages[i].payload != std::to_string(i)) {
        ADD_FAILURE() << "message " << i << " is " << rec.messages[i];
        break;
      }
    }
    sub.stop();
  });
}

TEST_F(SubscriberTest, KillNineThenRestartResubscribesEverything) {
  run_coro([&](asio::any_io_executor ex) -> awaitable<void> {
    Connection pub(ex, test_config(server_.url()));
    pub.start();
    Recorder rec(ex);  // outlives sub, whose handlers point into it
    Subscriber sub(ex, test_config(server_.url()));
    rec.attach(sub);
    sub.start();
    sub.subscribe({"a"});
    sub.psubscribe({"p.*"});
    sub.ssubscribe({"s"});
    CO_ASSERT_TRUE(co_await sub.wait_connected(5s));
    CO_ASSERT_TRUE(co_await rec.wait_state(SubscriberState::connected));
    ok(co_await sub.flush());

    server_.kill9();
    CO_ASSERT_TRUE(co_await rec.wait_state(SubscriberState::disconnected, 2s));
    EXPECT_FALSE(sub.connected());
    auto down = co_await sub.flush();
    CO_ASSERT_FALSE(down.has_value());
    EXPECT_EQ(down.error(), Errc::not_connected) << down.error().message();
    // Asked for while down: must be sent on reconnect like the rest.
    sub.subscribe({"added-while-down"});
    EXPECT_EQ(sub.subscription_count(), 4u);

    server_.restart();
    CO_ASSERT_TRUE(co_await rec.wait_state(SubscriberState::resubscribed, 10s));
    EXPECT_EQ(rec.states, (std::vector<SubscriberState>{SubscriberState::connected,
                                                        SubscriberState::disconnected,
                                                        SubscriberState::resubscribed}));
    EXPECT_TRUE(sub.connected());
    CO_ASSERT_TRUE(co_await pub.wait_connected(5s));

    // No re-subscribe by the owner: messages published now are delivered.
    EXPECT_EQ(published(co_await pub.exec(cmd("PUBLISH", "a", "1"))), 1);
    EXPECT_EQ(published(co_await pub.exec(cmd("PUBLISH", "p.x", "2"))), 1);
    EXPECT_EQ(published(co_await pub.exec(cmd("SPUBLISH", "s", "3"))), 1);
    EXPECT_EQ(published(co_await pub.exec(cmd("PUBLISH", "added-while-down", "4"))), 1);
    CO_ASSERT_TRUE(co_await rec.wait_messages(4));
    EXPECT_EQ(rec.messages, (std::vector<Got>{{Kind::message, "", "a", "1"},
                                              {Kind::pmessage, "p.*", "p.x", "2"},
                                              {Kind::smessage, "", "s", "3"},
                                              {Kind::message, "", "added-while-down", "4"}}));
    sub.stop();
    pub.stop();
  });
}

}  // namespace
}  // namespace herald::redis
