// Ordering under concurrent publishers and recovery with `since`, with and without a
// gap in history, over real sockets.
#include "support/test_clients.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace herald::test {
namespace {

namespace json = boost::json;

std::unique_ptr<WsClient> subscribed(std::uint16_t port, const std::string& subscribe) {
  auto c = std::make_unique<WsClient>(port);
  c->next();  // welcome
  c->send(subscribe);
  return c;
}

// Four publisher threads, three shards: every subscriber gets every publication
// once, in offset order.
void expect_concurrent_publishers_in_order(gateway::GatewayOptions o) {
  o.threads = 3;
  o.history_size = 10;
  TestServer server(o);
  std::vector<std::unique_ptr<WsClient>> clients;
  for (int i = 0; i < 4; ++i) {
    clients.push_back(subscribed(server.port(), R"({"type":"subscribe","channel":"race","id":1})"));
    ASSERT_EQ(clients.back()->next_json().at("type").as_string(), "reply");
  }
  constexpr int threads = 4, per_thread = 100;
  std::vector<std::thread> publishers;
  for (int t = 0; t < threads; ++t) {
    publishers.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) http_publish(server.port(), "race", std::to_string(t));
    });
  }
  for (auto& p : publishers) p.join();
  for (auto& c : clients) {
    for (int expected = 1; expected <= threads * per_thread; ++expected) {
      auto m = c->next_json();
      ASSERT_TRUE(m.is_object()) << "missing offset " << expected;
      ASSERT_EQ(m.at("offset").as_int64(), expected);
    }
  }
}

TEST(Ordering, ConcurrentPublishersReachEverySubscriberInOrder) {
  expect_concurrent_publishers_in_order(gateway::GatewayOptions{});
}

// write_delay changes when frames are written, never which or in what order.
TEST(Ordering, ConcurrentPublishersWithAWriteDelayStillArriveWholeAndInOrder) {
  gateway::GatewayOptions o;
  o.write_delay = std::chrono::milliseconds(20);
  expect_concurrent_publishers_in_order(o);
}

TEST(Recovery, MissedMessagesFollowTheReplyWithoutGapOrDuplicate) {
  TestServer server;
  std::string epoch;
  {
    auto c = subscribed(server.port(), R"({"type":"subscribe","channel":"feed","id":1})");
    epoch = c->next_json().at("result").at("epoch").as_string();
    http_publish(server.port(), "feed", "1");
    EXPECT_EQ(c->next_json().at("offset").as_int64(), 1);
  }
  for (int i = 2; i <= 6; ++i) http_publish(server.port(), "feed", std::to_string(i));
  auto c =
      subscribed(server.port(),
                 R"({"type":"subscribe","channel":"feed","id":2,"since":{"offset":1,"epoch":")" +
                     epoch + R"("}})");
  auto reply = c->next_json();
  EXPECT_EQ(reply.at("result").at("offset").as_int64(), 6);
  EXPECT_TRUE(reply.at("result").at("recovered").as_bool());
  for (int expected = 2; expected <= 6; ++expected) {
    auto m = c->next_json();
    ASSERT_EQ(m.at("offset").as_int64(), expected);
    EXPECT_EQ(m.at("data").as_int64(), expected);
  }
  http_publish(server.port(), "feed", "7");
  EXPECT_EQ(c->next_json().at("offset").as_int64(), 7);
}

// Independent of speed: the publisher is bounded by count and history holds all of
// it, so recovery must succeed however many publications land before the subscribe;
// the subscribe starts once some have landed (a condition, not a sleep) and usually
// while the rest are still being published.
TEST(Recovery, RecoveryWhilePublishesRaceIsGapFree) {
  constexpr int kPublications = 300;
  gateway::GatewayOptions o;
  o.history_size = kPublications + 10;
  TestServer server(o);
  auto first = http_publish(server.port(), "busy", "0").json();
  std::string epoch(first.at("epoch").as_string());
  std::atomic<int> published{0};
  std::jthread publisher([&] {  // joined on every path, failing ASSERTs included
    for (int i = 0; i < kPublications; ++i) {
      http_publish(server.port(), "busy", "1");
      ++published;
    }
  });
  while (published < 20) std::this_thread::yield();
  auto c =
      subscribed(server.port(),
                 R"({"type":"subscribe","channel":"busy","id":2,"since":{"offset":1,"epoch":")" +
                     epoch + R"("}})");
  auto reply = c->next_json();
  ASSERT_TRUE(reply.at("result").at("recovered").as_bool());
  publisher.join();
  auto last = http_publish(server.port(), "busy", "\"end\"").json().at("offset").as_int64();
  ASSERT_EQ(last, kPublications + 2);
  for (std::int64_t expected = 2; expected <= last; ++expected) {
    auto m = c->next_json();
    ASSERT_TRUE(m.is_object()) << "missing offset " << expected;
    ASSERT_EQ(m.at("offset").as_int64(), expected);
  }
}

TEST(Recovery, GapInHistoryGivesRecoveredFalse) {
  gateway::GatewayOptions o;
  o.history_size = 3;
  TestServer server(o);
  auto first = http_publish(server.port(), "small", "1").json();
  for (int i = 2; i <= 10; ++i) http_publish(server.port(), "small", std::to_string(i));
  std::string epoch(first.at("epoch").as_string());
  auto c =
      subscribed(server.port(),
                 R"({"type":"subscribe","channel":"small","id":1,"since":{"offset":1,"epoch":")" +
                     epoch + R"("}})");
  auto reply = c->next_json();
  EXPECT_FALSE(reply.at("result").at("recovered").as_bool());
  EXPECT_EQ(reply.at("result").at("offset").as_int64(), 10);
  http_publish(server.port(), "small", "11");
  EXPECT_EQ(c->next_json().at("offset").as_int64(), 11);  // nothing old replayed
}

TEST(Recovery, OtherEpochOrAheadGivesRecoveredFalse) {
  TestServer server;
  auto first = http_publish(server.port(), "e", "1").json();
  auto c = subscribed(
      server.port(),
      R"({"type":"subscribe","channel":"e","id":1,"since":{"offset":0,"epoch":"nope"}})");
  EXPECT_FALSE(c->next_json().at("result").at("recovered").as_bool());
  std::string epoch(first.at("epoch").as_string());
  auto d = subscribed(server.port(),
                      R"({"type":"subscribe","channel":"e","id":1,"since":{"offset":9,"epoch":")" +
                          epoch + R"("}})");
  EXPECT_FALSE(d->next_json().at("result").at("recovered").as_bool());
}

}  // namespace
}  // namespace herald::test
