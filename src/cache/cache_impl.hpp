// Cache::Impl: the state of one Cache and the steps of its read and invalidation
// paths. The read path lives in cache.cpp (lookups) and cache_load.cpp (single
// flight, lock, loader, write-back); invalidation and the bus in
// cache_invalidation.cpp.
//
// Thread: everything on `ex_` (single-threaded); background loads and the bus
// handlers run there too. Background coroutines hold a shared_ptr to the Impl.
#pragma once

#include "cache/cache_entry.hpp"
#include "cache/cache_layout.hpp"
#include "cache/l1_store.hpp"

#include <herald/cache/cache.hpp>
#include <herald/redis/pool.hpp>
#include <herald/redis/subscriber.hpp>

#include <boost/asio/steady_timer.hpp>
#include <boost/container/small_vector.hpp>

#include <atomic>
#include <chrono>
#include <exception>
#include <memory>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

namespace herald::cache {

using SteadyClock = std::chrono::steady_clock;

/// What one L2 read saw: the entry (if any) and the counters it must match.
struct L2Snapshot {
  bool reachable = false;           ///< Redis answered
  std::optional<CacheEntry> entry;  ///< parsed entry, tombstones included
  std::string stamp;                ///< current entry's stamp, "" when absent
  std::string generation = "0";     ///< cache-wide counter (clear() moves it)
  std::string ns_version = "0";
  std::vector<std::string> tag_versions;  ///< aligned with the policy's tags

  /// What an entry records as its namespace version: "<generation>.<namespace>".
  std::string scope_version() const { return generation + "." + ns_version; }
};

/// An L2 read that was a fresh hit (current versions, not expired), with the value
/// moved out of the reply: the hit path builds no L2Snapshot and copies no payload.
struct L2Hit {
  std::optional<std::string> value;  ///< nullopt: a cached "not found"
  bool stale = false;
  std::int64_t created_ms = 0;
  std::int64_t expires_ms = 0;
};

/// A stale value kept for fail-safe answers, and the hard end of its life (ttl +
/// fail_safe_max from when it was first written): re-caching it never extends that.
struct Fallback {
  CacheValue value;
  SteadyClock::time_point until;
};

/// One in-process load that concurrent callers of the same key share.
struct Flight {
  explicit Flight(const boost::asio::any_io_executor& ex) : done(ex) {
    done.expires_at(SteadyClock::time_point::max());
  }
  boost::asio::steady_timer done;  ///< cancelled when `result` is set
  std::optional<Result<CacheValue>> result;
};

/// The coherence state an L1 entry is stored under. Snapshotted before a load, so
/// that an invalidation during the load makes the loaded value invalid in L1 too.
struct L1Stamp {
  std::uint64_t epoch = 0;
  std::uint64_t removals = 0;  ///< Impl::removals_ then: key/namespace/clear invalidations
  /// The local generation of each of the policy's tags, aligned with policy.tags: a
  /// stamp is only ever stored with the policy it was taken for, so it needs no tag
  /// names. Inline up to 4 tags: a stamp is taken on every L1 miss. Empty when the
  /// policy has no L1 (l1_ttl 0): nothing will be stored.
  boost::container::small_vector<std::uint64_t, 4> tag_generations;
};

/// A loader call running as its own coroutine, so that a caller may stop waiting
/// (soft/hard timeout) while the load completes and is cached in the background.
struct LoadState {
  explicit LoadState(const boost::asio::any_io_executor& ex) : done(ex) {
    done.expires_at(SteadyClock::time_point::max());
  }
  boost::asio::steady_timer done;
  bool finished = false;
  bool failed = false;
  /// Set by remove()/namespace invalidation (local or bus) while the load runs:
  /// its result is returned but not cached.
  bool invalidated = false;
  std::optional<std::string> value;
};

/// How waiting for a key's distributed lock ended (Impl::acquire_lock).
enum class LockOutcome {
  held,           ///< ours: load, write back under it, release it
  not_held,       ///< load without it (Redis failing, stopped, or lock_wait passed)
  value_arrived,  ///< the holder's value is in the snapshot: serve it, do not load
};

class Cache::Impl : public std::enable_shared_from_this<Cache::Impl> {
 public:
  Impl(boost::asio::any_io_executor ex, CacheConfig config, redis::Pool* pool,
       std::optional<redis::ConnectionConfig> bus);

  // --- read path (cache.cpp, cache_load.cpp)
  // get_or_set and get take the owning pointer so that the facade can hand out
  // their awaitable directly, without a coroutine frame of its own per call.
  // Key and policy by value: the coroutine frame owns them (the caller's may be gone).
  boost::asio::awaitable<Result<CacheValue>> get_or_set(std::shared_ptr<Impl> self, std::string key,
                                                        Loader loader, CachePolicy policy);
  boost::asio::awaitable<std::optional<CacheValue>> get(std::shared_ptr<Impl> self, std::string key,
                                                        CachePolicy policy);
  boost::asio::awaitable<void> set(const std::string& key, std::string value,
                                   const CachePolicy& policy);

  // --- invalidation and bus (cache_invalidation.cpp)
  void start();
  void stop();
  boost::asio::awaitable<Result<void>> remove(const std::string& key);
  boost::asio::awaitable<Result<std::size_t>> invalidate_tags(const std::vector<std::string>& tags);
  boost::asio::awaitable<Result<std::size_t>> invalidate_namespace(const std::string& ns);
  boost::asio::awaitable<Result<std::size_t>> clear();

  CacheStats stats_;
  L1Store l1_;
  std::vector<InvalidationListener> listeners_;
  std::vector<InvalidationListener> local_listeners_;  ///< this node's invalidations only
  bool bus_up() const noexcept { return bus_up_; }
  std::uint64_t generation() const noexcept { return generation_.load(std::memory_order_acquire); }

 private:
  // cache.cpp
  const L1Entry* l1_lookup(const std::string& key, bool& hit);
  bool l1_valid(const L1Entry& e) const;
  L1Stamp l1_stamp(const CachePolicy& policy) const;
  void l1_store(const std::string& key, const std::optional<std::string>& value, bool stale,
                std::int64_t created_ms, std::int64_t expires_ms, const CachePolicy& policy,
                L1Stamp stamp, std::optional<SteadyClock::time_point> keep_cap = std::nullopt);
  boost::asio::awaitable<L2Snapshot> read_l2(const std::string& key, const CachePolicy& policy);
  // The L2 read in three synchronous steps, so that the hit path (get_or_set, get)
  // awaits the Pool directly instead of a read_l2 frame: build the MGET, then try
  // the reply as a hit (take_l2_hit), and only if it is not one, build the snapshot
  // the miss path needs (l2_snapshot).
  redis::Request take_request();
  void recycle(redis::Request&& req);
  void build_l2_read(redis::Request& req, std::string_view key, const CachePolicy& policy);
  std::optional<L2Hit> take_l2_hit(Result<redis::Reply>& reply, const CachePolicy& policy);
  L2Snapshot l2_snapshot(const Result<redis::Reply>& reply, const CachePolicy& policy);
  bool entry_current(const L2Snapshot& s, const CachePolicy& policy) const;
  /// The value of a current, unexpired snapshot entry, as an L2 hit.
  static L2Hit hit_of(const CacheEntry& e);

  // Serving a hit: the one place a hit is counted, stored in L1 and considered for
  // an eager refresh (`loader` nullptr: none). Synchronous, so the read path's
  // coroutine frames stay as they are.
  CacheValue serve_l1_hit(const std::string& key, const L1Entry& e, const CachePolicy& policy,
                          const Loader* loader);
  CacheValue serve_l2_hit(const std::string& key, L2Hit hit, const CachePolicy& policy,
                          L1Stamp stamp, const Loader* loader);
  /// serve_l2_hit without counting it (a value another node loaded while this one
  /// waited for the lock: the read was already counted as a miss).
  CacheValue answer_from_l2(const std::string& key, L2Hit hit, const CachePolicy& policy,
                            L1Stamp stamp, const Loader* loader);
  std::uint64_t tag_generation(const std::string& tag) const;

  /// get_or_set after an L2 read that was not a fresh hit; `read` is the MGET's reply
  /// (owned by the caller's frame), nullptr when Redis was not asked.
  boost::asio::awaitable<Result<CacheValue>> after_l2_miss(const std::string& key, Loader loader,
                                                           const CachePolicy& policy, L1Stamp stamp,
                                                           std::optional<Fallback> fallback,
                                                           const Result<redis::Reply>* read);

  // cache_load.cpp
  boost::asio::awaitable<Result<CacheValue>> load_once(const std::string& key, Loader loader,
                                                       const CachePolicy& policy, L2Snapshot snap,
                                                       std::optional<Fallback> fallback);
  boost::asio::awaitable<Result<CacheValue>> load(const std::string& key, Loader loader,
                                                  const CachePolicy& policy, L2Snapshot snap,
                                                  std::optional<Fallback> fallback);
  /// Takes the key's lock (`token` set) or waits for its holder, polling L2 into
  /// `snap`, until the holder's value arrives or policy.lock_wait passes.
  boost::asio::awaitable<LockOutcome> acquire_lock(const std::string& key,
                                                   const CachePolicy& policy, L2Snapshot& snap,
                                                   std::string& token);
  boost::asio::awaitable<void> load_task(std::shared_ptr<Impl> self,
                                         std::shared_ptr<LoadState> state, std::string key,
                                         Loader loader, CachePolicy policy, L2Snapshot snap,
                                         L1Stamp l1_stamp, std::string lock_token);
  boost::asio::awaitable<bool> write_back(
      const std::string& key, const CachePolicy& policy, const L2Snapshot& snap,
      const std::string& lock_token, const std::optional<std::string>& value, bool stale,
      std::chrono::milliseconds ttl, std::optional<std::chrono::milliseconds> px = std::nullopt);
  boost::asio::awaitable<void> release_lock(const std::string& key, const std::string& token);
  boost::asio::awaitable<void> refresh(std::shared_ptr<Impl> self, std::string key, Loader loader,
                                       CachePolicy policy);
  void maybe_refresh_early(const std::string& key, std::int64_t created_ms, std::int64_t expires_ms,
                           const Loader& loader, const CachePolicy& policy);
  std::chrono::milliseconds jittered(std::chrono::milliseconds ttl, double jitter);

  // cache_invalidation.cpp
  void on_bus_message(std::string_view payload);
  void on_bus_state(redis::SubscriberState state);
  void apply_tags(const std::vector<std::string>& tags);
  void apply_key(const std::string& key);
  void apply_namespace(const std::string& ns);
  void apply_clear();
  boost::asio::awaitable<Result<std::size_t>> unlink_matching(std::string pattern);
  boost::asio::awaitable<void> flush_stats(std::shared_ptr<Impl> self);
  boost::asio::awaitable<void> publish(std::string message);

 public:
  // keys (all under one hash tag: see CacheConfig::prefix), named by cache_layout
  std::string entry_key(std::string_view key) const { return layout_.entry(key); }
  std::string ns_key(std::string_view ns) const { return layout_.namespace_version(ns); }
  const std::string& generation_key() const { return layout_.generation(); }
  std::string tag_key(std::string_view t) const { return layout_.tag_version(t); }
  std::string tag_count_key(std::string_view t) const { return layout_.tag_count(t); }
  std::string stats_key() const { return layout_.stats(node_id_); }
  std::string lock_key(std::string_view key) const { return layout_.lock(key); }

 private:
  bool redis_ready() const { return pool_ != nullptr && pool_->connected(); }

  boost::asio::any_io_executor ex_;
  CacheConfig config_;
  CacheLayout layout_;  ///< every Redis key name
  /// Reused by build_l2_read for the MGET's keys (entry, namespace, tag versions):
  /// their capacity stays, so building a read allocates nothing once warm. Only used
  /// between two suspensions (Request copies the bytes as they are pushed).
  std::string entry_key_buf_;
  std::string ns_key_buf_;  ///< also a memo: the last namespace's key
  std::vector<std::string> tag_key_bufs_;
  /// Requests kept for reuse by the read path (their encoded bytes' capacity stays),
  /// bounded in number and size: see take_request()/recycle().
  std::vector<redis::Request> spare_requests_;
  redis::Pool* pool_;
  std::unique_ptr<redis::Subscriber> bus_;
  std::unique_ptr<boost::asio::steady_timer> stats_timer_;
  std::string node_id_;
  bool bus_up_;
  std::uint64_t epoch_ = 1;  ///< bumped whenever L1 may have missed invalidations
  /// Counts key, namespace and clear invalidations seen here. A value read or loaded
  /// while it moved is not put in L1 (tags are covered, per tag, by generations).
  std::uint64_t removals_ = 0;
  /// Cache::generation(): bumped (release) with epoch_, removals_ and tag generations,
  /// on the cache's thread; read (acquire) from any thread.
  std::atomic<std::uint64_t> generation_{1};
  void bump_generation() noexcept { generation_.fetch_add(1, std::memory_order_acq_rel); }
  std::unordered_map<std::string, std::uint64_t> tag_generations_;
  std::unordered_map<std::string, std::shared_ptr<Flight>> flights_;
  std::unordered_map<std::string, std::shared_ptr<LoadState>> running_;  ///< by key
  std::unordered_map<std::string, bool> refreshing_;  ///< background refreshes by key
  std::mt19937_64 rng_{std::random_device{}()};
};

std::int64_t wall_ms();

}  // namespace herald::cache
