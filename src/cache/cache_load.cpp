// The load half of the read path: in-process single flight, the distributed lock,
// running the loader under soft/hard timeouts, fail-safe answers, and the
// conditional write-back. Background refreshes (stale-while-revalidate, eager
// refresh) reuse the same path.
#include "cache/cache_impl.hpp"
#include "cache/cache_scripts.hpp"

#include <herald/cache/cache_key.hpp>
#include <herald/redis/request.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

namespace herald::cache {
namespace asio = boost::asio;
using namespace std::chrono;

namespace {
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
}  // namespace

milliseconds Cache::Impl::jittered(milliseconds ttl, double jitter) {
  if (jitter <= 0) return ttl;
  std::uniform_real_distribution<double> factor(1.0 - jitter, 1.0 + jitter);
  const auto ms = static_cast<std::int64_t>(static_cast<double>(ttl.count()) * factor(rng_));
  return milliseconds{std::max<std::int64_t>(1, ms)};
}

asio::awaitable<Result<CacheValue>> Cache::Impl::load_once(const std::string& key, Loader loader,
                                                           const CachePolicy& policy,
                                                           L2Snapshot snap,
                                                           std::optional<Fallback> fallback) {
  if (auto it = flights_.find(key); it != flights_.end()) {
    std::shared_ptr<Flight> flight = it->second;
    co_await flight->done.async_wait(kTuple);
    co_return *flight->result;
  }
  auto flight = std::make_shared<Flight>(ex_);
  flights_.emplace(key, flight);
  Result<CacheValue> result =
      co_await load(key, std::move(loader), policy, std::move(snap), std::move(fallback));
  flight->result = result;
  flights_.erase(key);
  flight->done.cancel();
  co_return result;
}

asio::awaitable<Result<CacheValue>> Cache::Impl::load(const std::string& key, Loader loader,
                                                      const CachePolicy& policy, L2Snapshot snap,
                                                      std::optional<Fallback> fallback) {
  // Coherence state before anything is loaded: an invalidation from now on makes
  // whatever we load invalid (L1 by generations, L2 by the write-back's CAS).
  L1Stamp stamp = l1_stamp(policy);

  std::string token;
  // A read that failed while the pool is connected is most often a timeout under load,
  // not an outage: ask once more before loading without the lock (which, with a
  // holder on another node, would load the same key twice).
  if (policy.lock && !snap.reachable && redis_ready()) snap = co_await read_l2(key, policy);
  if (policy.lock && snap.reachable) {
    const LockOutcome lock = co_await acquire_lock(key, policy, snap, token);
    if (lock == LockOutcome::value_arrived)
      co_return answer_from_l2(key, hit_of(*snap.entry), policy, stamp, nullptr);
  }

  auto state = std::make_shared<LoadState>(ex_);
  running_[key] = state;
  asio::co_spawn(
      ex_, load_task(shared_from_this(), state, key, std::move(loader), policy, snap, stamp, token),
      asio::detached);

  milliseconds wait_for = policy.hard_timeout;
  if (fallback && policy.soft_timeout.count() > 0)
    wait_for = wait_for.count() > 0 ? std::min(wait_for, policy.soft_timeout) : policy.soft_timeout;
  if (!state->finished) {
    if (wait_for.count() > 0) state->done.expires_after(wait_for);
    co_await state->done.async_wait(kTuple);
  }

  if (state->finished && !state->failed)
    co_return CacheValue{state->value, CacheSource::loader, false};
  // A load still running at the hard timeout counts as a failed load (a soft
  // timeout does not: the loader may yet succeed).
  if (!state->finished && wait_for == policy.hard_timeout && wait_for.count() > 0)
    ++stats_.load_errors;

  if (fallback && SteadyClock::now() < fallback->until) {
    // Fail-safe (loader failed) or soft timeout: the old value, flagged stale. After a
    // failure, re-cache it briefly so the dead origin is not asked on every read, but
    // never past the end of its fail-safe life.
    ++stats_.stale_served;
    if (state->finished) {
      const std::int64_t now = wall_ms();
      const auto left = duration_cast<milliseconds>(fallback->until - SteadyClock::now());
      const auto throttle = std::min(policy.fail_safe_throttle, left);
      l1_store(key, fallback->value.value, true, now, now + throttle.count(), policy, stamp,
               fallback->until);
      if (snap.reachable && left.count() > 0)
        co_await write_back(key, policy, snap, {}, fallback->value.value, true, throttle, left);
    }
    fallback->value.stale = true;
    co_return fallback->value;
  }
  if (!state->finished) co_return CacheErrc::loader_timeout;
  co_return CacheErrc::loader_failed;
}

asio::awaitable<LockOutcome> Cache::Impl::acquire_lock(const std::string& key,
                                                       const CachePolicy& policy, L2Snapshot& snap,
                                                       std::string& token) {
  token = new_stamp();
  const auto deadline = SteadyClock::now() + policy.lock_wait;
  auto delay = milliseconds{5};
  bool waited = false;  // another holder is known to be loading
  auto value_in_l2 = [&] {
    return entry_current(snap, policy) && wall_ms() < snap.entry->expires_ms;
  };
  // Each round: try the lock; if another node holds it, wait a little and read L2.
  while (redis_ready()) {  // else stopped, or Redis went away while we waited
    redis::Request req;
    req.timeout = config_.redis_timeout;
    req.push("SET", lock_key(key), token, "NX", "PX", policy.lock_ttl.count());
    auto r = co_await pool_->exec(req);
    if (!r || r->is_error()) {
      ++stats_.redis_errors;
      // Before any wait: Redis is failing, load without the lock (fail open). Once
      // another holder is known to be loading, one failed call (a timeout under load)
      // is no reason to load a second time: keep waiting, to the deadline.
      if (!waited) break;
    } else if (r->is_string()) {  // "OK": ours
      if (!waited) co_return LockOutcome::held;
      // The previous holder may have written just before we got the lock.
      snap = co_await read_l2(key, policy);
      if (snap.reachable && !value_in_l2()) co_return LockOutcome::held;  // ours to load
      co_await release_lock(key, token);
      if (value_in_l2()) break;
      // Unknown whether the holder wrote (the read failed, a timeout under load):
      // keep waiting, to the deadline, rather than load twice.
      if (SteadyClock::now() >= deadline) break;
      continue;
    }
    if (!waited) {
      ++stats_.lock_waits;
      waited = true;
    }
    if (SteadyClock::now() >= deadline) {
      ++stats_.lock_timeouts;
      break;
    }
    asio::steady_timer timer{ex_};
    timer.expires_after(delay);
    co_await timer.async_wait(kTuple);
    delay = std::min(delay * 2, milliseconds{100});
    snap = co_await read_l2(key, policy);
    // An unreachable read: as above, keep waiting for the holder, to the deadline.
    if (snap.reachable && value_in_l2()) break;
  }
  token.clear();
  // Another node's value arrived while we waited: serve it. (Only after a wait: an
  // eager refresh starts from a current entry and must load.)
  co_return waited&& value_in_l2() ? LockOutcome::value_arrived : LockOutcome::not_held;
}

asio::awaitable<void> Cache::Impl::load_task(std::shared_ptr<Impl> self,
                                             std::shared_ptr<LoadState> state, std::string key,
                                             Loader loader, CachePolicy policy, L2Snapshot snap,
                                             L1Stamp stamp, std::string lock_token) {
  ++stats_.loads;
  std::optional<std::string> value;
  try {
    value = co_await loader();
  } catch (...) {
    state->failed = true;  // the loader is the caller's code: its exceptions stop here
  }
  state->finished = true;
  if (state->failed) {
    ++stats_.load_errors;
  } else {
    state->value = value;
    milliseconds ttl = policy.negative_ttl;
    if (value) ttl = policy.ttl_of ? policy.ttl_of(*value) : jittered(policy.ttl, policy.jitter);
    const bool cacheable = ttl.count() > 0 && !state->invalidated;
    if (cacheable) {
      const std::int64_t now = wall_ms();
      l1_store(key, value, false, now, now + ttl.count(), policy, std::move(stamp));
    }
    state->done.cancel();  // the caller has its answer; caching continues below
    if (cacheable && snap.reachable) {
      if (!co_await write_back(key, policy, snap, lock_token, value, false, ttl)) {
        ++stats_.writes_skipped;
        if (!state->invalidated) l1_.erase(key);  // refused: L2 moved on without us
      }
    }
  }
  state->done.cancel();
  if (auto it = running_.find(key); it != running_.end() && it->second == state) running_.erase(it);
  if (!lock_token.empty()) co_await release_lock(key, lock_token);
  (void)self;
}

asio::awaitable<bool> Cache::Impl::write_back(const std::string& key, const CachePolicy& policy,
                                              const L2Snapshot& snap, const std::string& lock_token,
                                              const std::optional<std::string>& value, bool stale,
                                              milliseconds ttl, std::optional<milliseconds> px) {
  if (!redis_ready() || snap.tag_versions.size() != policy.tags.size()) co_return false;
  CacheEntry e;
  e.stamp = new_stamp();
  e.created_ms = wall_ms();
  e.expires_ms = e.created_ms + ttl.count();
  e.flags = (value ? 0u : unsigned{CacheEntry::kNegative}) | (stale ? CacheEntry::kStale : 0u);
  e.ns_version = snap.scope_version();
  for (std::size_t i = 0; i < policy.tags.size(); ++i)
    e.tags.emplace_back(policy.tags[i], snap.tag_versions[i]);
  if (value) e.payload = *value;
  const milliseconds keep =
      value ? std::max(policy.stale_grace, policy.fail_safe_max) : milliseconds{0};
  std::vector<std::string> keys{entry_key(key), ns_key(CacheKey::namespace_of(key)), lock_key(key),
                                generation_key()};
  for (const auto& t : policy.tags) keys.push_back(tag_key(t));
  for (const auto& t : policy.tags) keys.push_back(tag_count_key(t));
  std::vector<std::string> args{snap.stamp,
                                snap.ns_version,
                                lock_token,
                                e.encode(),
                                std::to_string(px ? px->count() : (ttl + keep).count()),
                                snap.generation};
  for (const auto& v : snap.tag_versions) args.push_back(v);
  auto reply = co_await scripts::write_if_unchanged().run(pool_->pick(), keys, args);
  if (!reply || reply->is_error()) {
    ++stats_.redis_errors;
    co_return false;
  }
  const bool written = reply->as_integer().value_or(0) == 1;
  if (written) co_await publish("k|" + node_id_ + "|" + key);
  co_return written;
}

asio::awaitable<void> Cache::Impl::release_lock(const std::string& key, const std::string& token) {
  if (!redis_ready()) co_return;
  // Named vectors: g++ 12 miscompiles braced lists inside a co_await expression.
  const std::vector<std::string> keys{lock_key(key)};
  const std::vector<std::string> args{token};
  auto reply = co_await scripts::release_lock().run(pool_->pick(), keys, args);
  if (!reply) ++stats_.redis_errors;  // the lock's ttl frees it anyway
}

asio::awaitable<void> Cache::Impl::refresh(std::shared_ptr<Impl> self, std::string key,
                                           Loader loader, CachePolicy policy) {
  L2Snapshot snap = co_await read_l2(key, policy);
  co_await load_once(key, std::move(loader), policy, std::move(snap), std::nullopt);
  refreshing_.erase(key);
  (void)self;
}

void Cache::Impl::maybe_refresh_early(const std::string& key, std::int64_t created_ms,
                                      std::int64_t expires_ms, const Loader& loader,
                                      const CachePolicy& policy) {
  if (policy.eager_refresh <= 0 || flights_.count(key)) return;
  const auto threshold =
      created_ms + static_cast<std::int64_t>(static_cast<double>(expires_ms - created_ms) *
                                             policy.eager_refresh);
  if (wall_ms() < threshold || !refreshing_.emplace(key, true).second) return;
  asio::co_spawn(ex_, refresh(shared_from_this(), key, loader, policy), asio::detached);
}

asio::awaitable<void> Cache::Impl::set(const std::string& key, std::string value,
                                       const CachePolicy& policy) {
  if (auto it = running_.find(key); it != running_.end()) it->second->invalidated = true;
  L1Stamp stamp = l1_stamp(policy);
  L2Snapshot snap = co_await read_l2(key, policy);
  const milliseconds ttl =
      policy.ttl_of ? policy.ttl_of(value) : jittered(policy.ttl, policy.jitter);
  if (ttl.count() <= 0) co_return;
  const std::int64_t now = wall_ms();
  std::optional<std::string> v{std::move(value)};
  l1_store(key, v, false, now, now + ttl.count(), policy, std::move(stamp));
  if (snap.reachable) co_await write_back(key, policy, snap, {}, v, false, ttl);
}

}  // namespace herald::cache
