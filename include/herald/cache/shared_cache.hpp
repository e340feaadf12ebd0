// SharedCache: one Cache on a thread of its own, callable from any thread.
//
// A Cache (with its Redis Pool and invalidation bus) lives on one executor. A service
// whose requests run on several threads (several io_context threads, shards, a
// thread pool) owns one SharedCache: it runs an io_context on a thread of its own,
// the Pool, the bus and the Cache live there, and the operations below may be called
// from coroutines on any executor: each hops to the cache thread, runs the Cache
// operation there and resumes the caller on the caller's own executor.
//
//   herald::cache::SharedCache shared(herald::cache::CacheConfig{}, redis_config);
//   shared.start();
//   // in a coroutine on any thread:
//   auto op = shared.get_or_set(key, loader, policy);   // (named: g++ 12, see cache.hpp)
//   auto r = co_await std::move(op);
//
// Thread: get_or_set, get, set, remove, invalidate_tags, invalidate_namespace, clear
// and executor() are thread-safe. cache() and pool() are the objects themselves: use
// them on executor() only (e.g. `co_spawn(shared.executor(), ...)`), or before
// start() (e.g. to register on_invalidate listeners). Loaders run on the cache
// thread, not the caller's: as for Cache::get_or_set they must own what they use,
// and anything they share with the caller's threads needs its own synchronisation.
// Arguments are taken by value and owned by the operation (cache.hpp).
// Cost: two thread hops (a post to the cache thread, a dispatch back) and one
// coroutine frame per operation, on top of the Cache's own work (not benchmarked).
#pragma once

#include <herald/cache/cache.hpp>
#include <herald/redis/config.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace herald::redis {
class Pool;
}

namespace herald::cache {

class SharedCache {
 public:
  /// redis == nullopt: an L1-only cache. Otherwise a Pool of `pool_size` connections
  /// (L2) and the invalidation bus, both on that Redis. Throws std::invalid_argument
  /// when a rediss:// URL's TLS files cannot be loaded. Starts nothing.
  SharedCache(CacheConfig config, std::optional<redis::ConnectionConfig> redis,
              std::size_t pool_size = 2);
  /// stop().
  ~SharedCache();
  SharedCache(const SharedCache&) = delete;
  SharedCache& operator=(const SharedCache&) = delete;

  /// Starts the thread, then the pool, the bus and the cache on it. Once.
  void start();
  /// Stops the cache and the pool on their thread, then ends the thread. Idempotent;
  /// call it from outside the cache thread. Operations awaited after it never finish.
  void stop();

  /// The cache thread's executor (thread-safe).
  boost::asio::any_io_executor executor() noexcept;
  /// The Cache and the Pool (nullptr without Redis): on executor() only, or before
  /// start().
  Cache& cache() noexcept;
  redis::Pool* pool() noexcept;

  // Cache's operations, from any thread (see Cache for what each does).
  boost::asio::awaitable<Result<CacheValue>> get_or_set(std::string key, Loader loader,
                                                        CachePolicy policy);
  boost::asio::awaitable<std::optional<CacheValue>> get(std::string key, CachePolicy policy);
  boost::asio::awaitable<void> set(std::string key, std::string value, CachePolicy policy);
  boost::asio::awaitable<Result<void>> remove(std::string key);
  boost::asio::awaitable<Result<std::size_t>> invalidate_tags(std::vector<std::string> tags);
  boost::asio::awaitable<Result<std::size_t>> invalidate_namespace(std::string ns);
  boost::asio::awaitable<Result<std::size_t>> clear();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace herald::cache
