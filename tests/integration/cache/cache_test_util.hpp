// Helpers for the cache's integration tests: a Node (Pool + Cache with its bus, as
// one gateway process would have), the common start of a test on one or two ready
// Nodes (run_on_one_node, run_on_two_nodes), a counting/holdable loader, polling with a
// deadline, a bus barrier between nodes, and a delaying TCP proxy that holds Redis's
// replies to one node (to reorder its reads against invalidations deterministically).
// Header-only, for tests/integration/cache.
#pragma once

#include <herald/cache/cache.hpp>
#include <herald/cache/cache_key.hpp>
#include <herald/redis/pool.hpp>

#include "cache/cache_layout.hpp"

#include "support/redis_server.hpp"
#include "support/redis_test_util.hpp"
#include "support/run_coro.hpp"

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

namespace herald::cache {
/// Readable CacheSource in assertion messages (found by ADL).
inline std::ostream& operator<<(std::ostream& os, CacheSource s) {
  return os << (s == CacheSource::l1 ? "l1" : s == CacheSource::l2 ? "l2" : "loader");
}
}  // namespace herald::cache

namespace herald::cache::test {

namespace asio = boost::asio;
using asio::awaitable;
using namespace std::chrono_literals;
using herald::test::RedisServer;
using herald::test::Signal;
using herald::test::sleep_for;
using herald::test::test_config;

/// The Redis keys of CacheConfig's default prefix (cache_layout.hpp).
inline const CacheLayout& default_layout() {
  static const CacheLayout layout(CacheConfig{}.prefix);
  return layout;
}
inline std::string entry_key(const std::string& key) {
  return default_layout().entry(key);
}
inline std::string lock_key(const std::string& key) {
  return default_layout().lock(key);
}

/// Tests wait generously for Redis (the machine may be loaded): the read path must
/// not fail open by accident where a test checks coordination through Redis.
inline CacheConfig test_cache_config() {
  CacheConfig cfg;
  cfg.redis_timeout = 3s;
  cfg.stats_interval = 0ms;  // no periodic HSET among the commands tests count
  return cfg;
}

/// Polls pred every 5 ms until it holds (true) or the timeout passes (false). For
/// state that has no event to await (e.g. coherent()).
template <class Pred>
awaitable<bool> wait_until(Pred pred, std::chrono::milliseconds timeout = 10s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() >= deadline) co_return false;
    co_await sleep_for(5ms);
  }
  co_return true;
}

/// One node: its own Pool and a Cache with a bus, started.
struct Node {
  Node(asio::any_io_executor ex, const std::string& url, CacheConfig cfg = test_cache_config(),
       std::optional<std::string> bus_url = std::nullopt, std::size_t pool_size = 2)
      : pool(ex, test_config(url), pool_size),
        cache(ex, std::move(cfg), &pool, test_config(bus_url.value_or(url))),
        heard_signal(ex) {
    pool.start();
    cache.start();
    cache.on_invalidate([this](const std::vector<std::string>& tags) {
      for (const auto& t : tags) heard.push_back(t);
      heard_signal.notify();
    });
  }
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;
  ~Node() {
    cache.stop();
    pool.stop();
  }

  /// Pool connected and bus subscribed.
  awaitable<bool> ready(std::chrono::milliseconds timeout = 10s) {
    if (!co_await pool.wait_connected(timeout)) co_return false;
    co_return co_await wait_until([this] { return cache.coherent(); }, timeout);
  }

  /// True once this node's listener has heard `tag` (from any node).
  awaitable<bool> wait_heard(const std::string& tag, std::chrono::milliseconds timeout = 10s) {
    return heard_signal.wait(
        [this, tag] { return std::find(heard.begin(), heard.end(), tag) != heard.end(); }, timeout);
  }

  redis::Pool pool;
  Cache cache;
  std::vector<std::string> heard;
  Signal heard_signal;
};

/// The start most tests share: runs `body(ex, a)` on the test thread (run_coro) with
/// one default Node on `server`, ready.
template <class Body>
void run_on_one_node(RedisServer& server, Body body) {
  herald::test::run_coro([&](asio::any_io_executor ex) -> awaitable<void> {
    Node a(ex, server.url());
    CO_ASSERT_TRUE(co_await a.ready());
    co_await body(ex, a);
  });
}

/// Same with two default Nodes on `server`, both ready: `body(ex, a, b)`.
template <class Body>
void run_on_two_nodes(RedisServer& server, Body body) {
  herald::test::run_coro([&](asio::any_io_executor ex) -> awaitable<void> {
    Node a(ex, server.url());
    Node b(ex, server.url());
    CO_ASSERT_TRUE(co_await a.ready());
    CO_ASSERT_TRUE(co_await b.ready());
    co_await body(ex, a, b);
  });
}

/// Bus barrier: `to` has processed every bus message `from` published before this
/// call (Pub/Sub keeps order on the subscriber's connection). Uses a fresh tag.
inline awaitable<bool> bus_barrier(Node& from, Node& to) {
  static int n = 0;
  const std::string tag = "barrier:" + std::to_string(++n);
  const std::vector<std::string> tags{tag};
  auto r = co_await from.cache.invalidate_tags(tags);
  if (!r) co_return false;
  co_return co_await to.wait_heard(tag);
}

/// A loader whose calls are counted and which, while `held`, waits until release().
/// It returns value + "#" + call number, nullopt when value is nullopt, throws when
/// fail is set.
struct TestLoader {
  explicit TestLoader(asio::any_io_executor ex) : gate(ex), changed(ex) {
    gate.expires_at(asio::steady_timer::time_point::max());
  }

  Loader loader() {
    return [this]() -> awaitable<std::optional<std::string>> {
      const int call = ++calls;
      changed.notify();
      while (held) co_await gate.async_wait(asio::as_tuple(asio::use_awaitable));
      if (delay.count() > 0) co_await sleep_for(delay);
      ++finished;
      changed.notify();
      if (fail) throw std::runtime_error("origin down");
      if (!value) co_return std::nullopt;
      co_return *value + "#" + std::to_string(call);
    };
  }
  void release() {
    held = false;
    gate.cancel();
  }
  awaitable<bool> wait_calls(int n, std::chrono::milliseconds t = 10s) {
    return changed.wait([this, n] { return calls >= n; }, t);
  }
  awaitable<bool> wait_finished(int n, std::chrono::milliseconds t = 10s) {
    return changed.wait([this, n] { return finished >= n; }, t);
  }

  asio::steady_timer gate;
  Signal changed;
  int calls = 0;
  int finished = 0;
  bool held = false;
  bool fail = false;
  std::chrono::milliseconds delay{0};
  std::optional<std::string> value = "v";
};

inline CachePolicy plain_policy(std::vector<std::string> tags = {}) {
  CachePolicy p;
  p.jitter = 0;
  p.tags = std::move(tags);
  return p;
}

/// Runs fn(i) for i in [0, n) with at most `width` coroutines at once; true when all
/// are done, false when the timeout passes first.
inline awaitable<bool> for_each_concurrent(asio::any_io_executor ex, int n, int width,
                                           std::function<awaitable<void>(int)> fn,
                                           std::chrono::milliseconds timeout = 120s) {
  struct Shared {
    explicit Shared(asio::any_io_executor ex) : signal(std::move(ex)) {}
    int next = 0, running = 0, done = 0, n = 0;
    std::function<awaitable<void>(int)> fn;
    Signal signal;
  };
  auto sh = std::make_shared<Shared>(ex);
  sh->n = n;
  sh->fn = std::move(fn);
  for (int w = 0; w < width && w < n; ++w) {
    ++sh->running;
    asio::co_spawn(
        ex,
        [sh]() -> awaitable<void> {
          while (sh->next < sh->n) {
            const int i = sh->next++;
            co_await sh->fn(i);
            ++sh->done;
          }
          --sh->running;
          sh->signal.notify();
        },
        asio::detached);
  }
  const bool finished = co_await sh->signal.wait([&] { return sh->running == 0; }, timeout);
  co_return finished && sh->done == n;
}

/// A TCP proxy in front of Redis for one node's Pool: client bytes go to Redis at
/// once; Redis's bytes are held for `delay` before they reach the client, while
/// `delay` is non-zero. `held` counts chunks that arrived from Redis while delayed.
class DelayProxy {
 public:
  DelayProxy(asio::any_io_executor ex, std::uint16_t redis_port)
      : ex_(ex), acceptor_(ex, {asio::ip::make_address("127.0.0.1"), 0}), redis_port_(redis_port) {
    asio::co_spawn(ex_, accept_loop(state_), asio::detached);
  }
  ~DelayProxy() { state_->closed = true; }

  std::string url() const {
    return "redis://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port());
  }
  void set_delay(std::chrono::milliseconds d) { state_->delay = d; }
  int held() const { return state_->held; }
  void close() {
    state_->closed = true;
    boost::system::error_code ec;
    acceptor_.close(ec);
    for (auto& s : state_->sockets) s->close(ec);
  }

 private:
  using tcp = asio::ip::tcp;
  struct State {
    std::chrono::milliseconds delay{0};
    int held = 0;
    bool closed = false;
    std::vector<std::shared_ptr<tcp::socket>> sockets;
  };

  awaitable<void> accept_loop(std::shared_ptr<State> st) {
    for (;;) {
      auto [ec, client] = co_await acceptor_.async_accept(asio::as_tuple(asio::use_awaitable));
      if (ec || st->closed) co_return;
      auto c = std::make_shared<tcp::socket>(std::move(client));
      auto s = std::make_shared<tcp::socket>(ex_);
      auto [cec] = co_await s->async_connect({asio::ip::make_address("127.0.0.1"), redis_port_},
                                             asio::as_tuple(asio::use_awaitable));
      if (cec) continue;
      st->sockets.push_back(c);
      st->sockets.push_back(s);
      asio::co_spawn(ex_, pump(st, c, s, false), asio::detached);
      asio::co_spawn(ex_, pump(st, s, c, true), asio::detached);
    }
  }

  static awaitable<void> pump(std::shared_ptr<State> st, std::shared_ptr<tcp::socket> from,
                              std::shared_ptr<tcp::socket> to, bool delayed) {
    std::vector<char> buf(64 * 1024);
    for (;;) {
      auto [ec, n] =
          co_await from->async_read_some(asio::buffer(buf), asio::as_tuple(asio::use_awaitable));
      if (ec || st->closed) break;
      if (delayed && st->delay.count() > 0) {
        ++st->held;
        asio::steady_timer t(co_await asio::this_coro::executor, st->delay);
        co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
      }
      auto [wec, w] = co_await asio::async_write(*to, asio::buffer(buf.data(), n),
                                                 asio::as_tuple(asio::use_awaitable));
      (void)w;
      if (wec || st->closed) break;
    }
    boost::system::error_code ec;
    from->close(ec);
    to->close(ec);
  }

  asio::any_io_executor ex_;
  tcp::acceptor acceptor_;
  std::uint16_t redis_port_;
  std::shared_ptr<State> state_ = std::make_shared<State>();
};

}  // namespace herald::cache::test
