// Cache: the facade, and the lookup half of the read path (L1, then L2).
#include "cache/cache_impl.hpp"

#include <herald/cache/cache_key.hpp>
#include <herald/redis/request.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include <algorithm>
#include <cctype>

namespace herald::cache {
namespace asio = boost::asio;
using namespace std::chrono;

std::int64_t wall_ms() {
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

Cache::Impl::Impl(asio::any_io_executor ex, CacheConfig config, redis::Pool* pool,
                  std::optional<redis::ConnectionConfig> bus)
    : l1_(config.l1_max_entries, config.l1_max_bytes),
      ex_(std::move(ex)),
      config_(std::move(config)),
      hash_tag_("{" + config_.prefix + "}"),
      pool_(bus ? pool : nullptr),
      node_id_(new_stamp()),
      bus_up_(pool_ == nullptr) {
  if (pool_ != nullptr) bus_ = std::make_unique<redis::Subscriber>(ex_, std::move(*bus));
}

// ---------------------------------------------------------------- L1

std::uint64_t Cache::Impl::tag_generation(const std::string& tag) const {
  auto it = tag_generations_.find(tag);
  return it == tag_generations_.end() ? 0 : it->second;
}

bool Cache::Impl::l1_valid(const L1Entry& e) const {
  if (e.epoch != epoch_) return false;
  for (const auto& [tag, gen] : e.tag_generations)
    if (tag_generation(tag) != gen) return false;
  return true;
}

/// The L1 entry for key if it may be used at all (for a hit, or as a fallback),
/// with `hit` saying whether it is a fresh, coherent hit.
const L1Entry* Cache::Impl::l1_lookup(const std::string& key, bool& hit) {
  hit = false;
  L1Entry* e = l1_.find(key);
  if (e == nullptr) return nullptr;
  const auto now = SteadyClock::now();
  if (now >= e->keep_until) {
    l1_.erase(key);
    return nullptr;
  }
  hit = now < e->fresh_until && l1_valid(*e);
  return e;
}

L1Stamp Cache::Impl::l1_stamp(const CachePolicy& policy) const {
  L1Stamp stamp{epoch_, removals_, {}};
  stamp.tag_generations.reserve(policy.tags.size());
  for (const auto& tag : policy.tags) stamp.tag_generations.emplace_back(tag, tag_generation(tag));
  return stamp;
}

void Cache::Impl::l1_store(const std::string& key, const std::optional<std::string>& value,
                           bool stale, std::int64_t created_ms, std::int64_t expires_ms,
                           const CachePolicy& policy, L1Stamp stamp,
                           std::optional<SteadyClock::time_point> keep_cap) {
  if (policy.l1_ttl.count() <= 0) return;
  // Invalidated while it was being read or loaded: not for L1 (L2's CAS covers L2).
  if (stamp.epoch != epoch_ || stamp.removals != removals_) return;
  const auto now = SteadyClock::now();
  auto fresh = milliseconds{std::max<std::int64_t>(0, expires_ms - wall_ms())};
  fresh = std::min(fresh, policy.l1_ttl);
  if (!bus_up_) fresh = std::min(fresh, config_.blind_l1_ttl);
  L1Entry e;
  e.value = value;
  e.stale = stale;
  e.fresh_until = now + fresh;
  e.keep_until = now + fresh + std::max(policy.stale_grace, policy.fail_safe_max);
  if (keep_cap) {
    e.keep_until = std::min(e.keep_until, *keep_cap);
    e.fresh_until = std::min(e.fresh_until, e.keep_until);
  }
  e.created_ms = created_ms;
  e.expires_ms = expires_ms;
  e.epoch = stamp.epoch;
  e.tag_generations = std::move(stamp.tag_generations);
  l1_.put(key, std::move(e));
}

// ---------------------------------------------------------------- L2

namespace {

/// The stamp field exactly as scripts::write_if_unchanged reads it
/// (`^HC1 (%S+)`), or "".
std::string raw_stamp(std::string_view value) {
  if (!value.starts_with("HC1 ")) return {};
  value.remove_prefix(4);
  std::size_t n = 0;
  while (n < value.size() && !std::isspace(static_cast<unsigned char>(value[n]))) ++n;
  return std::string(value.substr(0, n));
}

}  // namespace

asio::awaitable<L2Snapshot> Cache::Impl::read_l2(const std::string& key,
                                                 const CachePolicy& policy) {
  L2Snapshot snap;
  if (!redis_ready()) co_return snap;
  // One MGET (one command, one slot) for the entry and every counter it must match:
  // an L2 hit costs the server about what a plain GET does.
  std::vector<std::string> keys{entry_key(key), ns_key(CacheKey::namespace_of(key)),
                                generation_key()};
  for (const auto& t : policy.tags) keys.push_back(tag_key(t));
  redis::Request req;
  req.timeout = config_.redis_timeout;
  req.push_range("MGET", {}, keys);
  auto reply = co_await pool_->exec(req);
  if (!reply || !reply->is_array() || reply->elements.size() != keys.size()) {
    ++stats_.redis_errors;
    co_return snap;
  }
  snap.reachable = true;
  const auto& r = reply->elements;
  if (r[0].is_string()) {
    snap.entry = CacheEntry::parse(r[0].str);
    // The stamp as the write script reads it, so that even a value we cannot parse
    // (another writer, corruption) can be replaced by the next load.
    snap.stamp = raw_stamp(r[0].str);
  }
  if (r[1].is_string()) snap.ns_version = r[1].str;
  if (r[2].is_string()) snap.generation = r[2].str;
  for (std::size_t i = 3; i < r.size(); ++i)
    snap.tag_versions.push_back(r[i].is_string() ? r[i].str : "0");
  co_return snap;
}

/// True when the snapshot's entry was loaded under the current namespace and tag
/// versions (time is checked by the caller).
bool Cache::Impl::entry_current(const L2Snapshot& s, const CachePolicy& policy) const {
  if (!s.entry || s.entry->tombstone()) return false;
  const CacheEntry& e = *s.entry;
  if (e.ns_version != s.scope_version() || e.tags.size() != policy.tags.size()) return false;
  for (std::size_t i = 0; i < e.tags.size(); ++i) {
    if (e.tags[i].first != policy.tags[i]) return false;
    if (e.tags[i].second != s.tag_versions[i]) return false;
  }
  return true;
}

// ---------------------------------------------------------------- lookups

asio::awaitable<std::optional<CacheValue>> Cache::Impl::get(const std::string& key,
                                                            const CachePolicy& policy) {
  bool hit = false;
  if (const L1Entry* e = l1_lookup(key, hit); e != nullptr && hit) {
    ++stats_.l1_hits;
    if (e->stale) ++stats_.stale_served;
    co_return CacheValue{e->value, CacheSource::l1, e->stale};
  }
  ++stats_.l1_misses;
  L1Stamp stamp = l1_stamp(policy);  // before the read: an invalidation during it wins
  L2Snapshot snap = co_await read_l2(key, policy);
  if (entry_current(snap, policy) && wall_ms() < snap.entry->expires_ms) {
    ++stats_.l2_hits;
    const CacheEntry& e = *snap.entry;
    std::optional<std::string> value;
    if (!e.negative()) value = e.payload;
    l1_store(key, value, e.stale(), e.created_ms, e.expires_ms, policy, std::move(stamp));
    if (e.stale()) ++stats_.stale_served;
    co_return CacheValue{std::move(value), CacheSource::l2, e.stale()};
  }
  ++stats_.l2_misses;
  co_return std::nullopt;
}

asio::awaitable<Result<CacheValue>> Cache::Impl::get_or_set(const std::string& key, Loader loader,
                                                            const CachePolicy& policy) {
  std::optional<Fallback> fallback;  // a stale value for fail-safe answers

  bool hit = false;
  if (const L1Entry* e = l1_lookup(key, hit)) {
    if (hit) {
      ++stats_.l1_hits;
      if (e->stale) ++stats_.stale_served;
      CacheValue v{e->value, CacheSource::l1, e->stale};
      maybe_refresh_early(key, e->created_ms, e->expires_ms, loader, policy);
      co_return v;
    }
    if (policy.fail_safe_max.count() > 0)
      fallback = Fallback{CacheValue{e->value, CacheSource::l1, true}, e->keep_until};
  }
  ++stats_.l1_misses;

  L1Stamp stamp = l1_stamp(policy);  // before the read: an invalidation during it wins
  L2Snapshot snap = co_await read_l2(key, policy);
  if (entry_current(snap, policy)) {
    const CacheEntry& e = *snap.entry;
    const std::int64_t now = wall_ms();
    std::optional<std::string> value;
    if (!e.negative()) value = e.payload;
    if (now < e.expires_ms) {
      ++stats_.l2_hits;
      if (e.stale()) ++stats_.stale_served;
      l1_store(key, value, e.stale(), e.created_ms, e.expires_ms, policy, std::move(stamp));
      maybe_refresh_early(key, e.created_ms, e.expires_ms, loader, policy);
      co_return CacheValue{std::move(value), CacheSource::l2, e.stale()};
    }
    if (now < e.expires_ms + policy.stale_grace.count()) {
      // Stale-while-revalidate: answer now, refresh once in the background.
      ++stats_.l2_misses;
      ++stats_.stale_served;
      if (!flights_.count(key) && refreshing_.emplace(key, true).second)
        asio::co_spawn(ex_, refresh(shared_from_this(), key, loader, policy), asio::detached);
      co_return CacheValue{std::move(value), CacheSource::l2, true};
    }
    if (policy.fail_safe_max.count() > 0 && redis_ready()) {
      // Expired but physically kept: its remaining life bounds the fail-safe.
      // (Only on this rare path does a read cost a second round trip.)
      redis::Request ttl_req;
      ttl_req.timeout = config_.redis_timeout;
      ttl_req.push("PTTL", entry_key(key));
      auto pttl = co_await pool_->exec(ttl_req);
      const long long left = pttl ? pttl->as_integer().value_or(-1) : -1;
      if (left > 0)
        fallback = Fallback{CacheValue{value, CacheSource::l2, true},
                            SteadyClock::now() + milliseconds{left}};
    }
  }
  ++stats_.l2_misses;
  co_return co_await load_once(key, std::move(loader), policy, std::move(snap),
                               std::move(fallback));
}

// ---------------------------------------------------------------- facade

Cache::Cache(asio::any_io_executor executor, CacheConfig config, redis::Pool* pool,
             std::optional<redis::ConnectionConfig> bus)
    : impl_(std::make_shared<Impl>(std::move(executor), std::move(config), pool, std::move(bus))) {}

Cache::~Cache() {
  if (impl_) impl_->stop();
}

void Cache::start() {
  impl_->start();
}
void Cache::stop() {
  impl_->stop();
}

asio::awaitable<Result<CacheValue>> Cache::get_or_set(const std::string& key, Loader loader,
                                                      const CachePolicy& policy) {
  auto impl = impl_;
  co_return co_await impl->get_or_set(key, std::move(loader), policy);
}

asio::awaitable<std::optional<CacheValue>> Cache::get(const std::string& key,
                                                      const CachePolicy& policy) {
  auto impl = impl_;
  co_return co_await impl->get(key, policy);
}

asio::awaitable<void> Cache::set(const std::string& key, std::string value,
                                 const CachePolicy& policy) {
  auto impl = impl_;
  co_await impl->set(key, std::move(value), policy);
}

asio::awaitable<Result<void>> Cache::remove(const std::string& key) {
  auto impl = impl_;
  co_return co_await impl->remove(key);
}

asio::awaitable<Result<std::size_t>> Cache::invalidate_tags(const std::vector<std::string>& tags) {
  auto impl = impl_;
  co_return co_await impl->invalidate_tags(tags);
}

asio::awaitable<Result<std::size_t>> Cache::invalidate_namespace(const std::string& ns) {
  auto impl = impl_;
  co_return co_await impl->invalidate_namespace(ns);
}

asio::awaitable<Result<std::size_t>> Cache::clear() {
  auto impl = impl_;
  co_return co_await impl->clear();
}

void Cache::on_invalidate(InvalidationListener listener) {
  impl_->listeners_.push_back(std::move(listener));
}

void Cache::on_local_invalidate(InvalidationListener listener) {
  impl_->local_listeners_.push_back(std::move(listener));
}

const CacheStats& Cache::stats() const noexcept {
  return impl_->stats_;
}
std::size_t Cache::l1_size() const noexcept {
  return impl_->l1_.size();
}
std::size_t Cache::l1_bytes() const noexcept {
  return impl_->l1_.bytes();
}
bool Cache::coherent() const noexcept {
  return impl_->bus_up();
}

}  // namespace herald::cache
