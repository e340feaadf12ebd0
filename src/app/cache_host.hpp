// CacheHost: the cache of one herald process and its glue to the gateway.
//
// It owns one io_context thread on which the Cache (and, with a Redis URL, its Pool
// and invalidation bus) lives, as the cache's single-executor contract requires.
// Gateway shards reach it only through the thread-safe members below:
//   * invalidate_tags(): runs Cache::invalidate_tags on the cache thread (backs
//     POST /api/invalidate);
//   * bridge_to(engine): tag invalidations are published on `tag:<tag>` channels,
//     which the gateway delivers as `invalidate` frames: every one the cache hears
//     (this node's and the bus's) on the memory engine, only this node's on a shared
//     engine (Redis), so each reaches the browsers once;
//   * prometheus(): the cache's counters as Prometheus text (a snapshot refreshed
//     every second on the cache thread, so /metrics never waits on it).
#pragma once

#include <herald/cache/cache.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/system/result.hpp>

#include <memory>
#include <string>
#include <vector>

namespace herald::realtime {
class Engine;
}

namespace herald::app {

class CacheHost {
 public:
  /// redis_url empty: an L1-only cache (the memory-engine default). Throws
  /// std::invalid_argument on a bad URL.
  explicit CacheHost(const std::string& redis_url);
  /// Stops the cache, its pool and the thread.
  ~CacheHost();
  CacheHost(const CacheHost&) = delete;
  CacheHost& operator=(const CacheHost&) = delete;

  /// Publishes tag invalidations on `engine` (which must outlive this). Call once,
  /// before start().
  void bridge_to(realtime::Engine& engine);
  /// Starts the thread, the pool and the bus.
  void start();

  cache::Cache& cache() noexcept;
  boost::asio::any_io_executor executor() noexcept;

  /// Thread-safe: invalidates on the cache thread and resumes the caller on its own
  /// executor. The result is an upper bound of the entries invalidated.
  boost::asio::awaitable<boost::system::result<std::size_t>> invalidate_tags(
      std::vector<std::string> tags);
  /// Thread-safe: the latest counters as Prometheus text.
  std::string prometheus() const;

  struct State;

 private:
  std::unique_ptr<State> state_;
};

}  // namespace herald::app
