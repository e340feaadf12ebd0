// WaitingList: the first cold request for a URL leads the trip to the cache's thread,
// the others wait and get its copy; a trip without a copy wakes them empty-handed and
// stops the waiting for that URL for a while (answers that are never shared are not
// queued behind one another).
#include "proxy/waiting_list.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <gtest/gtest.h>

#include <optional>

namespace herald::proxy {
namespace {

namespace asio = boost::asio;

struct Outcome {
  bool led = false;
  bool done = false;
  WaitingList::Copy copy;
};

/// Joins `key` on `io`; a leader keeps its Lead in `*lead` (when given) for the test
/// to release.
void join(asio::io_context& io, WaitingList& list, const std::string& key, Outcome& out,
          std::optional<WaitingList::Lead>* lead = nullptr) {
  asio::co_spawn(
      io,
      [&list, key, &out, lead]() -> asio::awaitable<void> {
        WaitingList::Lead l;
        auto joined = list.join(key, l);
        out.copy = co_await std::move(joined);
        out.led = static_cast<bool>(l);
        out.done = true;
        if (lead != nullptr && l) lead->emplace(std::move(l));
      },
      asio::detached);
}

/// Runs what is ready until nothing is (run() would block: suspended waiters keep
/// their coroutines' work).
void settle(asio::io_context& io) {
  io.restart();
  while (io.poll() > 0) {
  }
}

WaitingList::Copy some_copy() {
  auto c = std::make_shared<FreshCopy>();
  c->value = std::make_shared<const std::string>("envelope");
  c->generation = 3;
  return c;
}

TEST(WaitingList, TheFirstLeadsTheOthersGetItsCopy) {
  asio::io_context io;
  WaitingList list;
  Outcome first, second, third, other;
  std::optional<WaitingList::Lead> lead;
  join(io, list, "h/a", first, &lead);
  join(io, list, "h/a", second);
  join(io, list, "h/a", third);
  join(io, list, "h/b", other);
  settle(io);
  EXPECT_TRUE(first.done && first.led);
  EXPECT_TRUE(other.done && other.led) << "another URL has its own trip";
  EXPECT_FALSE(second.done) << "waits for the leader";
  EXPECT_FALSE(third.done);
  EXPECT_EQ(list.in_flight(), 1u) << "h/b's Lead ended with its coroutine: released";

  auto copy = some_copy();
  lead->release(copy);
  settle(io);
  ASSERT_TRUE(second.done && third.done);
  EXPECT_FALSE(second.led);
  EXPECT_EQ(second.copy, copy);
  EXPECT_EQ(third.copy, copy);
  EXPECT_EQ(list.in_flight(), 0u);

  Outcome again;
  join(io, list, "h/a", again);
  settle(io);
  EXPECT_TRUE(again.led) << "a later cold request leads a new trip";
}

TEST(WaitingList, ATripWithoutACopyWakesTheWaitersAndStopsTheWaitingForAWhile) {
  asio::io_context io;
  WaitingList list;
  Outcome first, second;
  std::optional<WaitingList::Lead> lead;
  join(io, list, "h/private", first, &lead);
  join(io, list, "h/private", second);
  settle(io);
  ASSERT_TRUE(first.led);
  lead.reset();  // destroyed unreleased (an exception on the way): releases with no copy
  settle(io);
  ASSERT_TRUE(second.done);
  EXPECT_EQ(second.copy, nullptr);

  Outcome third;
  join(io, list, "h/private", third);
  settle(io);
  EXPECT_TRUE(third.done);
  EXPECT_FALSE(third.led) << "neither leads nor waits: straight to the full flow";
  EXPECT_EQ(third.copy, nullptr);
  EXPECT_EQ(list.in_flight(), 0u);
}

}  // namespace
}  // namespace herald::proxy
