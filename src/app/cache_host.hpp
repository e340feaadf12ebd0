// CacheHost: the cache of one herald process (serve, demo) and its glue to the
// gateway. The cache itself is a cache::SharedCache (the library's cache on a thread
// of its own, callable from any shard: shared()). On top of it:
//   * bridge_to(engine): tag invalidations are published on `tag:<tag>` channels,
//     which the gateway delivers as `invalidate` frames: every one the cache hears
//     (this node's and the bus's) on the memory engine, only this node's on a shared
//     engine (Redis), so each reaches the browsers once;
//   * prometheus(): the cache's counters as Prometheus text (a snapshot refreshed
//     every second on the cache thread, so /metrics never waits on it).
#pragma once

#include <herald/cache/shared_cache.hpp>

#include <memory>
#include <string>

namespace herald::realtime {
class Engine;
}

namespace herald::app {

class CacheHost {
 public:
  /// redis_url empty: an L1-only cache (the memory-engine default). Throws
  /// std::invalid_argument on a bad URL.
  explicit CacheHost(const std::string& redis_url);
  /// Stops the statistics, then the cache, its pool and the thread.
  ~CacheHost();
  CacheHost(const CacheHost&) = delete;
  CacheHost& operator=(const CacheHost&) = delete;

  /// Publishes tag invalidations on `engine` (which must outlive this). Call once,
  /// before start().
  void bridge_to(realtime::Engine& engine);
  /// Starts the cache's thread, the pool, the bus and the statistics.
  void start();

  /// The cache: thread-safe operations, and its thread's executor.
  cache::SharedCache& shared() noexcept;
  /// Thread-safe: the latest counters as Prometheus text.
  std::string prometheus() const;
  /// Thread-safe: the latest counters as a JSON object (l1_hits, l1_misses, l2_hits,
  /// l2_misses, stale) for the admin console; "null" before the first refresh.
  std::string figures_json() const;

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace herald::app
