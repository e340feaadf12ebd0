// SharedCache (L1 only, no sockets): one cache on its own thread, called from
// coroutines on several other threads at once. Every call is answered on the
// caller's thread, the cache's single flight and L1 hold across threads (one load
// per key), and the other operations hop the same way.
#include <herald/cache/shared_cache.hpp>

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace herald::cache {
namespace {

namespace asio = boost::asio;
using asio::awaitable;

CachePolicy tagged(std::string tag) {
  CachePolicy p;
  p.jitter = 0;
  p.tags = {std::move(tag)};
  return p;
}

/// Runs body() as a coroutine on a fresh io_context on a new thread; join() waits.
class CallerThread {
 public:
  template <class Body>
  explicit CallerThread(Body body) {
    thread_ = std::thread([this, body]() mutable {
      asio::co_spawn(io_, body(), [this](std::exception_ptr e) {
        if (e) failed_ = true;
      });
      io_.run();
    });
  }
  void join() { thread_.join(); }
  bool failed() const { return failed_; }

 private:
  asio::io_context io_;
  std::thread thread_;
  bool failed_ = false;
};

TEST(SharedCache, CalledFromSeveralThreads) {
  SharedCache shared(CacheConfig{}, std::nullopt);
  shared.start();
  auto loads = std::make_shared<std::atomic<int>>(0);
  std::atomic<int> answered{0}, wrong{0}, off_thread{0};
  constexpr int kThreads = 4, kReads = 200, kKeys = 5;

  std::vector<std::unique_ptr<CallerThread>> callers;
  for (int t = 0; t < kThreads; ++t) {
    callers.push_back(std::make_unique<CallerThread>([&, loads]() -> awaitable<void> {
      const auto me = std::this_thread::get_id();
      for (int i = 0; i < kReads; ++i) {
        const int k = i % kKeys;
        // Temporaries only: the operation owns its key and policy.
        auto op = shared.get_or_set(
            "k:" + std::to_string(k),
            [loads, k]() -> awaitable<std::optional<std::string>> {
              ++*loads;
              co_return "v" + std::to_string(k);
            },
            tagged("t" + std::to_string(k)));
        auto r = co_await std::move(op);
        if (std::this_thread::get_id() != me) ++off_thread;
        if (!r || r->value != "v" + std::to_string(k)) ++wrong;
        ++answered;
      }
    }));
  }
  for (auto& c : callers) c->join();
  for (auto& c : callers) EXPECT_FALSE(c->failed());
  EXPECT_EQ(answered, kThreads * kReads);
  EXPECT_EQ(wrong, 0);
  EXPECT_EQ(off_thread, 0) << "a caller was resumed on the cache thread";
  EXPECT_EQ(*loads, kKeys) << "single flight and L1 are shared by every thread";

  // The other operations, from another thread: invalidate one tag, write, read, drop.
  std::atomic<bool> checked{false};
  CallerThread other([&]() -> awaitable<void> {
    auto inv = shared.invalidate_tags({"t0"});
    auto n = co_await std::move(inv);
    EXPECT_TRUE(n.has_value());
    auto set = shared.set("k:set", "written", tagged("t9"));
    co_await std::move(set);
    auto got = shared.get("k:set", tagged("t9"));
    auto g = co_await std::move(got);
    EXPECT_TRUE(g && g->value == "written");
    auto removed = shared.remove("k:set");
    EXPECT_TRUE((co_await std::move(removed)).has_value());
    auto gone = shared.get("k:set", tagged("t9"));
    EXPECT_FALSE((co_await std::move(gone)).has_value());
    auto ns = shared.invalidate_namespace("k");
    EXPECT_TRUE((co_await std::move(ns)).has_value());
    auto cleared = shared.clear();
    EXPECT_TRUE((co_await std::move(cleared)).has_value());
    checked = true;
  });
  other.join();
  EXPECT_TRUE(checked);
  EXPECT_FALSE(other.failed());

  // After the invalidations every key loads again, once.
  CallerThread reread([&, loads]() -> awaitable<void> {
    for (int k = 0; k < kKeys; ++k) {
      auto op = shared.get_or_set(
          "k:" + std::to_string(k),
          [loads, k]() -> awaitable<std::optional<std::string>> {
            ++*loads;
            co_return "v" + std::to_string(k);
          },
          tagged("t" + std::to_string(k)));
      auto r = co_await std::move(op);
      EXPECT_TRUE(r && r->source == CacheSource::loader);
    }
  });
  reread.join();
  EXPECT_EQ(*loads, 2 * kKeys);
  shared.stop();
  shared.stop();  // idempotent
}

TEST(SharedCache, NeverStartedStopsCleanly) {
  SharedCache shared(CacheConfig{}, std::nullopt);
  EXPECT_EQ(shared.pool(), nullptr);
}

}  // namespace
}  // namespace herald::cache
