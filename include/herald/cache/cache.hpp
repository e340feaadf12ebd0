// Cache: a two-level cache-aside layer (L1 in process, L2 Redis) with stampede
// protection, tags, namespaces, stale-while-revalidate and fail-safe.
//
//   Cache cache{ex, CacheConfig{}, &pool, bus_config};
//   cache.start();
//   auto r = co_await cache.get_or_set(CacheKey("products").entity("product").id(42).str(),
//       [&]() -> asio::awaitable<std::optional<std::string>> { co_return load(42); },
//       presets.get("products"));
//
// Read path: L1 -> L2 (one pipelined round trip: entry + namespace and tag
// versions) -> in-process single flight -> distributed lock -> loader -> conditional
// write-back. Invalidation is by versions: a tag or a namespace has a counter in
// Redis, each entry records the counters it was loaded under, and a read whose
// counters moved is a miss. Invalidating a tag is therefore one INCR, whatever the
// number of entries, and the write-back of a load is a compare-and-set script that
// refuses to store a value that was invalidated while it loaded.
// Every node hears every invalidation on a Redis Pub/Sub bus and drops its L1 copies.
//
// Failure: Redis down never fails a read. Reads fall back to L1 and the loader
// (with a short redis_timeout), writes are skipped, and the cache resumes by itself
// when Redis returns. L1 entries that may have missed invalidations while the bus
// was down stop counting as hits (they remain fail-safe fallbacks).
//
// Thread: a Cache lives on one executor; call it from coroutines on that executor.
// Values are bytes; typed_cache.hpp stores typed values through a codec (and
// Boost.JSON values with JsonCodec); docs/library.md shows both.
#pragma once

#include <herald/cache/cache_error.hpp>
#include <herald/cache/cache_policy.hpp>
#include <herald/cache/cache_stats.hpp>
#include <herald/redis/config.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace herald::redis {
class Pool;
}

namespace herald::cache {

struct CacheConfig {
  /// Prefix of every Redis key; it is also the Redis Cluster hash tag, so all keys
  /// of one Cache share a slot and every multi-key operation is cluster-safe. Run
  /// several caches (prefixes) to spread data over a cluster.
  std::string prefix = "herald:cache";
  /// L1 bounds. 100k entries / 64 MiB: a comfortable share of a web node's memory.
  std::size_t l1_max_entries = 100'000;
  std::size_t l1_max_bytes = 64u << 20;
  /// Wait for Redis on the read path before failing open. 250 ms: a healthy
  /// loopback/LAN round trip is well under 1 ms; past this the loader is faster.
  std::chrono::milliseconds redis_timeout{250};
  /// While the bus is down, values loaded meanwhile count as L1 hits for at most
  /// this long (other nodes' invalidations cannot reach us). 5 s.
  std::chrono::milliseconds blind_l1_ttl{5'000};
  /// How long a removed key stays a tombstone, so that loads already running when
  /// it was removed cannot write it back. 60 s: above any sane hard_timeout.
  std::chrono::milliseconds tombstone_ttl{60'000};
  /// Pub/Sub channel of the invalidation bus.
  std::string bus_channel = "herald:cache:bus";
  /// Each node writes its counters to `{prefix}:stats:<node>` this often (expiring
  /// after 6x this), so `herald cache stats` can add up the whole cluster. 0 = off.
  std::chrono::milliseconds stats_interval{5'000};
};

enum class CacheSource { l1, l2, loader };

struct CacheValue {
  std::optional<std::string> value;  ///< nullopt: the loader said "not found"
  CacheSource source = CacheSource::loader;
  bool stale = false;  ///< served past its ttl (stale-while-revalidate or fail-safe)
};

/// Loads the value from the origin; nullopt means "not found" (negatively cached).
/// An exception means failure (fail-safe may answer with a stale value instead).
using Loader = std::function<boost::asio::awaitable<std::optional<std::string>>()>;

/// Called for every tag invalidation seen, local or from another node (the gateway
/// turns these into `invalidate` frames on `tag:<tag>` channels).
using InvalidationListener = std::function<void(const std::vector<std::string>& tags)>;

class Cache {
 public:
  /// pool == nullptr: an L1-only cache on this node (bus ignored). With a pool, the
  /// bus (a Pub/Sub connection of its own, usually the pool's ConnectionConfig) is
  /// required: an L2 without it would serve L1 copies other nodes invalidated, so a
  /// pool with bus == nullopt throws std::invalid_argument.
  Cache(boost::asio::any_io_executor executor, CacheConfig config, redis::Pool* pool,
        std::optional<redis::ConnectionConfig> bus);
  ~Cache();
  Cache(const Cache&) = delete;
  Cache& operator=(const Cache&) = delete;

  void start();
  void stop();

  // Arguments: every coroutine below takes its key, tags and policy by value, so the
  // operation owns them and a call may be co_spawned with temporaries, e.g.
  // `co_spawn(ex, cache.get_or_set(make_key(), loader, policy_for(x)), detached)`:
  // nothing the awaitable needs lives in the caller's frame. (Pass an lvalue policy
  // with std::move when it is not needed afterwards: a copy costs its tags.)
  // Only the Cache itself must outlive the operation.
  //
  // The loader may outlive the call: a stale-while-revalidate or eager refresh runs
  // it in the background after get_or_set answered, and after a soft_timeout (or a
  // hard_timeout) the load keeps running, and is cached, after the caller got its
  // stale answer or error. So a loader must own (capture by value, or by
  // shared_ptr) everything it touches, never a reference to the caller's locals; it
  // runs on the cache's executor, at most once at a time per key on this node.

  /// Cache-aside read: L1, L2, then one load per key across the cluster.
  boost::asio::awaitable<Result<CacheValue>> get_or_set(std::string key, Loader loader,
                                                        CachePolicy policy);
  /// Cache lookup only (L1, then L2); nullopt on a miss.
  boost::asio::awaitable<std::optional<CacheValue>> get(std::string key, CachePolicy policy);
  /// Stores a value (write-through after an update) under the current versions of
  /// its namespace and tags, and drops other nodes' L1 copies. Not unconditional: it
  /// reads L2 first and writes with the same compare-and-set as a load's write-back,
  /// so if the entry, its namespace or one of its tags changes between the two (a
  /// concurrent write or invalidation), that change wins and nothing is stored in
  /// Redis. Loads of the key running on this node do not write back over it. With
  /// Redis unreachable it stores in L1 only; a ttl_of() of 0 stores nothing.
  boost::asio::awaitable<void> set(std::string key, std::string value, CachePolicy policy);

  /// Drops one key on every node. Fails only if Redis could not be told.
  boost::asio::awaitable<Result<void>> remove(std::string key);
  /// Invalidates every entry carrying any of the tags, on every node: O(1) Redis
  /// writes per tag. Returns an upper bound of the entries invalidated (entries
  /// written under those tags since their previous invalidation).
  boost::asio::awaitable<Result<std::size_t>> invalidate_tags(std::vector<std::string> tags);
  /// Invalidates a namespace at once (one INCR), then deletes its keys with SCAN +
  /// UNLINK in batches. Returns the number of keys deleted.
  boost::asio::awaitable<Result<std::size_t>> invalidate_namespace(std::string ns);

  /// Drops everything: every key under the prefix (SCAN + UNLINK batches) and every
  /// node's L1. Returns the number of Redis keys deleted.
  boost::asio::awaitable<Result<std::size_t>> clear();

  /// Every tag invalidation, this node's and the others' (a per-node feed, e.g. the
  /// memory engine's `tag:` channels).
  void on_invalidate(InvalidationListener listener);
  /// Only this node's own tag invalidations (a feed shared by all nodes, e.g. the
  /// Redis engine, where each node publishing what it heard would repeat it N times).
  void on_local_invalidate(InvalidationListener listener);

  const CacheStats& stats() const noexcept;
  std::size_t l1_size() const noexcept;
  std::size_t l1_bytes() const noexcept;
  /// True when Redis is configured and the invalidation bus is connected.
  bool coherent() const noexcept;
  /// Thread-safe (the one member callable off the cache's executor): a number that
  /// changes whenever something this node may hold could have become invalid: a key
  /// removed or overwritten through the bus, a tag or namespace invalidated (here or
  /// on another node), a clear, a change of the bus's health. A copy taken from the
  /// cache while it read G may be served from elsewhere (another thread's table of
  /// fresh answers) for as long as it still reads G. Cost: one atomic load.
  std::uint64_t generation() const noexcept;

  class Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace herald::cache
