// Coroutine test helpers: run one test body on a fresh io_context with a deadline,
// assert inside coroutines, and wait for events without sleeping.
//
//   TEST(Suite, Name) {
//     herald::test::run_coro([&](asio::any_io_executor ex) -> asio::awaitable<void> {
//       ...; CO_ASSERT_TRUE(x); ...
//     });
//   }
//
// run_coro() fails the test (never hangs it) when the body does not finish within
// the limit, and turns an exception escaping the body into a test failure.
// Header-only: the Asio implementation comes from the library the test links.
#pragma once

#include <gtest/gtest.h>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <exception>
#include <stdexcept>
#include <string>

namespace herald::test {

namespace asio = boost::asio;

/// Runs body(executor) to completion on a new io_context, on this thread.
/// After the body returns, the context runs up to `drain` more so that objects the
/// body destroyed can finish their shutdown; work still left then is abandoned.
template <class Body>
void run_coro(Body&& body, std::chrono::milliseconds limit = std::chrono::seconds(60),
              std::chrono::milliseconds drain = std::chrono::seconds(2)) {
  asio::io_context ioc;
  bool done = false;
  std::exception_ptr error;
  asio::co_spawn(ioc, body(ioc.get_executor()), [&](std::exception_ptr e) {
    done = true;
    error = e;
  });
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done && ioc.run_one_until(deadline) != 0) {
  }
  if (!done) {
    ADD_FAILURE() << "test coroutine did not finish within " << limit.count()
                  << " ms (or waited on nothing)";
    ioc.stop();
    return;
  }
  ioc.run_for(drain);
  if (error) {
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      ADD_FAILURE() << "exception escaped the test coroutine: " << e.what();
    } catch (...) {
      ADD_FAILURE() << "unknown exception escaped the test coroutine";
    }
  }
}

/// Sleeps without blocking the io_context. For real time that must pass (idle
/// times, TTLs), never to wait for something that has an event.
inline asio::awaitable<void> sleep_for(std::chrono::milliseconds d) {
  asio::steady_timer t(co_await asio::this_coro::executor, d);
  co_await t.async_wait(asio::use_awaitable);
}

/// A level-triggered wake-up for one waiter on the same executor: handlers call
/// notify() after changing state; the waiter re-checks its predicate. No wake-up is
/// lost, because the predicate is checked before every wait (single thread).
class Signal {
 public:
  explicit Signal(asio::any_io_executor ex) : timer_(std::move(ex)) {}

  void notify() { timer_.cancel(); }

  /// True once pred() holds; false when the timeout passes first.
  template <class Pred>
  asio::awaitable<bool> wait(Pred pred, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!pred()) {
      if (std::chrono::steady_clock::now() >= deadline) co_return false;
      timer_.expires_at(deadline);
      boost::system::error_code ec;
      co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    co_return true;
  }

 private:
  asio::steady_timer timer_;
};

}  // namespace herald::test

/// ASSERT_* for coroutines: gtest's ASSERT_* `return`, which a coroutine cannot, so
/// these `co_return` after recording the fatal failure. Messages stream as usual:
///   CO_ASSERT_TRUE(co_await c.wait_connected(5s)) << "while starting";
/// They reuse gtest's own expansion (GTEST_TEST_BOOLEAN_, GTEST_PRED_FORMAT2_) with a
/// failure action that is `co_return <record failure>` instead of `return ...`.
#define HERALD_CO_FATAL_FAILURE_(message) \
  co_return GTEST_MESSAGE_(message, ::testing::TestPartResult::kFatalFailure)

#define CO_ASSERT_TRUE(condition) \
  GTEST_TEST_BOOLEAN_(condition, #condition, false, true, HERALD_CO_FATAL_FAILURE_)
#define CO_ASSERT_FALSE(condition) \
  GTEST_TEST_BOOLEAN_(!(condition), #condition, true, false, HERALD_CO_FATAL_FAILURE_)
#define CO_ASSERT_EQ(val1, val2) \
  GTEST_PRED_FORMAT2_(::testing::internal::EqHelper::Compare, val1, val2, HERALD_CO_FATAL_FAILURE_)
