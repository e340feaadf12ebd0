// Cache: the facade, and the lookup half of the read path (L1, then L2).
#include "cache/cache_impl.hpp"

#include <herald/cache/cache_key.hpp>
#include <herald/redis/request.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include <algorithm>
#include <cctype>
#include <stdexcept>

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
      layout_(config_.prefix),
      pool_(pool),
      node_id_(new_stamp()),
      bus_up_(pool_ == nullptr) {
  if (pool_ != nullptr && !bus)
    throw std::invalid_argument(
        "herald::cache::Cache: a Redis pool needs an invalidation bus (pass the pool's "
        "ConnectionConfig as `bus`), or pass no pool for an L1-only cache");
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
  if (policy.l1_ttl.count() <= 0) return stamp;  // l1_store will store nothing
  stamp.tag_generations.reserve(policy.tags.size());
  for (const auto& tag : policy.tags) stamp.tag_generations.push_back(tag_generation(tag));
  return stamp;
}

void Cache::Impl::l1_store(const std::string& key, const std::optional<std::string>& value,
                           bool stale, std::int64_t created_ms, std::int64_t expires_ms,
                           const CachePolicy& policy, L1Stamp stamp,
                           std::optional<SteadyClock::time_point> keep_cap) {
  if (policy.l1_ttl.count() <= 0) return;
  // Invalidated while it was being read or loaded: not for L1 (L2's CAS covers L2).
  if (stamp.epoch != epoch_ || stamp.removals != removals_) return;
  // A stamp is taken for the policy it is stored with (see L1Stamp); a mismatch would
  // be a bug, and storing without every tag's generation would defeat invalidation.
  if (stamp.tag_generations.size() != policy.tags.size()) return;
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
  e.tag_generations.reserve(policy.tags.size());
  for (std::size_t i = 0; i < policy.tags.size(); ++i)
    e.tag_generations.emplace_back(policy.tags[i], stamp.tag_generations[i]);
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

/// True when an L2 read's reply has the shape build_l2_read asked for: an array of
/// the entry, the namespace version, the generation and one version per tag.
bool l2_reply_ok(const Result<redis::Reply>& reply, const CachePolicy& policy) {
  return reply && reply->is_array() && reply->elements.size() == 3 + policy.tags.size();
}

}  // namespace

redis::Request Cache::Impl::take_request() {
  if (spare_requests_.empty()) return {};
  redis::Request req = std::move(spare_requests_.back());
  spare_requests_.pop_back();
  return req;
}

void Cache::Impl::recycle(redis::Request&& req) {
  // Bounded in number (a burst of concurrent reads) and in size (a read with many
  // tags): spares must not pin memory for good. 128 x ~150 bytes in the common case.
  constexpr std::size_t kSpareRequests = 128;
  constexpr std::size_t kSpareRequestBytes = 4096;
  if (spare_requests_.size() >= kSpareRequests || req.payload().capacity() > kSpareRequestBytes)
    return;
  req.clear();
  spare_requests_.push_back(std::move(req));
}

void Cache::Impl::build_l2_read(redis::Request& req, std::string_view key,
                                const CachePolicy& policy) {
  // One MGET (one command, one slot) for the entry and every counter it must match:
  // one round trip, and for Redis ~1.6x the work of a GET with no tags (see
  // docs/benchmarks.md). Order: entry, namespace version, generation, tag versions
  // (take_l2_hit and l2_snapshot read it so). The keys are composed in reused
  // buffers; the namespace key is kept while reads stay in one namespace (the common
  // case); the generation key never changes.
  entry_key_buf_.assign(layout_.entry_prefix());
  entry_key_buf_ += key;
  const std::size_t ns_at = layout_.namespace_prefix().size();
  const std::string_view ns = CacheKey::namespace_of(key);
  if (ns_key_buf_.size() != ns_at + ns.size() ||
      std::string_view{ns_key_buf_}.substr(ns_at) != ns) {
    ns_key_buf_.assign(layout_.namespace_prefix());
    ns_key_buf_ += ns;
  }
  if (tag_key_bufs_.size() < policy.tags.size()) tag_key_bufs_.resize(policy.tags.size());
  boost::container::small_vector<std::string_view, 8> keys{entry_key_buf_, ns_key_buf_,
                                                           layout_.generation()};
  for (std::size_t i = 0; i < policy.tags.size(); ++i) {
    std::string& k = tag_key_bufs_[i];
    k.assign(layout_.tag_version_prefix());
    k += policy.tags[i];
    keys.push_back(k);
  }
  req.timeout = config_.redis_timeout;
  req.push_range("MGET", {}, keys);
}

std::optional<L2Hit> Cache::Impl::take_l2_hit(Result<redis::Reply>& reply,
                                              const CachePolicy& policy) {
  if (!l2_reply_ok(reply, policy)) return std::nullopt;
  auto& r = reply->elements;
  if (!r[0].is_string()) return std::nullopt;
  const auto e = CacheEntryView::parse(r[0].str);
  if (!e || e->tombstone() || e->ntags != policy.tags.size()) return std::nullopt;
  // The same test as entry_current(), on views: the entry's scope version must be
  // "<generation>.<namespace version>" and its tags the policy's, at their versions.
  auto version = [](const redis::Reply& v) {
    return v.is_string() ? std::string_view{v.str} : std::string_view{"0"};
  };
  const std::string_view gen = version(r[2]), ns = version(r[1]), scope = e->ns_version;
  if (scope.size() != gen.size() + 1 + ns.size() || !scope.starts_with(gen) ||
      scope[gen.size()] != '.' || !scope.ends_with(ns))
    return std::nullopt;
  std::size_t i = 0;
  const bool tags_current = e->each_tag([&](std::string_view tag, std::string_view v) {
    const bool same = tag == policy.tags[i] && v == version(r[3 + i]);
    ++i;
    return same;
  });
  if (!tags_current || wall_ms() >= e->expires_ms) return std::nullopt;
  std::optional<L2Hit> hit{std::in_place, std::nullopt, e->stale(), e->created_ms, e->expires_ms};
  if (!e->negative()) {
    // The reply's string becomes the value: the envelope header is cut off in place
    // (a memmove of the payload), no allocation. `e` views r[0].str: read it first.
    const std::size_t offset = e->payload_offset;
    hit->value.emplace(std::move(r[0].str));
    hit->value->erase(0, offset);
  }
  return hit;
}

L2Snapshot Cache::Impl::l2_snapshot(const Result<redis::Reply>& reply, const CachePolicy& policy) {
  L2Snapshot snap;
  if (!l2_reply_ok(reply, policy)) {
    ++stats_.redis_errors;
    return snap;
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
  snap.tag_versions.reserve(policy.tags.size());
  for (std::size_t i = 3; i < r.size(); ++i)
    snap.tag_versions.push_back(r[i].is_string() ? r[i].str : "0");
  return snap;
}

asio::awaitable<L2Snapshot> Cache::Impl::read_l2(const std::string& key,
                                                 const CachePolicy& policy) {
  if (!redis_ready()) co_return L2Snapshot{};
  redis::Request req = take_request();
  build_l2_read(req, key, policy);
  auto reply = co_await pool_->exec(req);
  recycle(std::move(req));
  co_return l2_snapshot(reply, policy);
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

// ---------------------------------------------------------------- serving hits

L2Hit Cache::Impl::hit_of(const CacheEntry& e) {
  L2Hit hit{std::nullopt, e.stale(), e.created_ms, e.expires_ms};
  if (!e.negative()) hit.value = e.payload;
  return hit;
}

CacheValue Cache::Impl::serve_l1_hit(const std::string& key, const L1Entry& e,
                                     const CachePolicy& policy, const Loader* loader) {
  ++stats_.l1_hits;
  if (e.stale) ++stats_.stale_served;
  CacheValue v{e.value, CacheSource::l1, e.stale};
  if (loader != nullptr) maybe_refresh_early(key, e.created_ms, e.expires_ms, *loader, policy);
  return v;
}

CacheValue Cache::Impl::serve_l2_hit(const std::string& key, L2Hit hit, const CachePolicy& policy,
                                     L1Stamp stamp, const Loader* loader) {
  ++stats_.l2_hits;
  if (hit.stale) ++stats_.stale_served;
  return answer_from_l2(key, std::move(hit), policy, std::move(stamp), loader);
}

CacheValue Cache::Impl::answer_from_l2(const std::string& key, L2Hit hit, const CachePolicy& policy,
                                       L1Stamp stamp, const Loader* loader) {
  l1_store(key, hit.value, hit.stale, hit.created_ms, hit.expires_ms, policy, std::move(stamp));
  if (loader != nullptr) maybe_refresh_early(key, hit.created_ms, hit.expires_ms, *loader, policy);
  return CacheValue{std::move(hit.value), CacheSource::l2, hit.stale};
}

// ---------------------------------------------------------------- lookups

asio::awaitable<std::optional<CacheValue>> Cache::Impl::get(std::shared_ptr<Impl> self,
                                                            std::string key, CachePolicy policy) {
  (void)self;  // keeps the Impl alive while this runs (the facade has no frame)
  bool hit = false;
  if (const L1Entry* e = l1_lookup(key, hit); e != nullptr && hit)
    co_return serve_l1_hit(key, *e, policy, nullptr);
  ++stats_.l1_misses;
  L1Stamp stamp = l1_stamp(policy);  // before the read: an invalidation during it wins
  if (redis_ready()) {
    redis::Request req = take_request();
    build_l2_read(req, key, policy);
    auto reply = co_await pool_->exec(req);
    recycle(std::move(req));
    if (auto l2 = take_l2_hit(reply, policy))
      co_return serve_l2_hit(key, std::move(*l2), policy, std::move(stamp), nullptr);
    if (!l2_reply_ok(reply, policy)) ++stats_.redis_errors;
  }
  ++stats_.l2_misses;
  co_return std::nullopt;
}

asio::awaitable<Result<CacheValue>> Cache::Impl::get_or_set(std::shared_ptr<Impl> self,
                                                            std::string key, Loader loader,
                                                            CachePolicy policy) {
  (void)self;                        // keeps the Impl alive while this runs (see Cache::get_or_set)
  std::optional<Fallback> fallback;  // a stale value for fail-safe answers

  bool hit = false;
  if (const L1Entry* e = l1_lookup(key, hit)) {
    if (hit) co_return serve_l1_hit(key, *e, policy, &loader);
    if (policy.fail_safe_max.count() > 0)
      fallback = Fallback{CacheValue{e->value, CacheSource::l1, true}, e->keep_until};
  }
  ++stats_.l1_misses;

  L1Stamp stamp = l1_stamp(policy);  // before the read: an invalidation during it wins
  // The L2 read, inlined rather than read_l2(): on a hit this frame is the only one
  // the cache adds to the Pool's, and nothing is copied out of the reply but the value.
  // Not a fresh hit (a miss, stale, expired, invalidated, Redis failed or not asked):
  // the rest runs in after_l2_miss's frame, so that this one stays small (GCC keeps
  // every local of a coroutine in its frame, and this one is allocated on every hit).
  if (redis_ready()) {
    redis::Request req = take_request();
    build_l2_read(req, key, policy);
    auto reply = co_await pool_->exec(req);
    recycle(std::move(req));
    if (auto l2 = take_l2_hit(reply, policy))
      co_return serve_l2_hit(key, std::move(*l2), policy, std::move(stamp), &loader);
    const Result<redis::Reply>* read = &reply;
    co_return co_await after_l2_miss(key, std::move(loader), policy, std::move(stamp),
                                     std::move(fallback), read);
  }
  const Result<redis::Reply>* not_read = nullptr;
  co_return co_await after_l2_miss(key, std::move(loader), policy, std::move(stamp),
                                   std::move(fallback), not_read);
}

asio::awaitable<Result<CacheValue>> Cache::Impl::after_l2_miss(
    const std::string& key, Loader loader, const CachePolicy& policy, L1Stamp stamp,
    std::optional<Fallback> fallback, const Result<redis::Reply>* read) {
  L2Snapshot snap = read != nullptr ? l2_snapshot(*read, policy) : L2Snapshot{};
  if (entry_current(snap, policy)) {
    const CacheEntry& e = *snap.entry;
    const std::int64_t now = wall_ms();
    if (now < e.expires_ms)
      co_return serve_l2_hit(key, hit_of(e), policy, std::move(stamp), &loader);
    std::optional<std::string> value;
    if (!e.negative()) value = e.payload;
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

// get_or_set and get are not coroutines: they hand out the Impl's coroutine, which
// holds its own reference to the Impl and owns its arguments, so a call costs one
// frame, not two. The others are coroutines: their frame owns the arguments.
asio::awaitable<Result<CacheValue>> Cache::get_or_set(std::string key, Loader loader,
                                                      CachePolicy policy) {
  return impl_->get_or_set(impl_, std::move(key), std::move(loader), std::move(policy));
}

asio::awaitable<std::optional<CacheValue>> Cache::get(std::string key, CachePolicy policy) {
  return impl_->get(impl_, std::move(key), std::move(policy));
}

asio::awaitable<void> Cache::set(std::string key, std::string value, CachePolicy policy) {
  auto impl = impl_;
  co_await impl->set(key, std::move(value), policy);
}

asio::awaitable<Result<void>> Cache::remove(std::string key) {
  auto impl = impl_;
  co_return co_await impl->remove(key);
}

asio::awaitable<Result<std::size_t>> Cache::invalidate_tags(std::vector<std::string> tags) {
  auto impl = impl_;
  co_return co_await impl->invalidate_tags(tags);
}

asio::awaitable<Result<std::size_t>> Cache::invalidate_namespace(std::string ns) {
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

std::uint64_t Cache::generation() const noexcept {
  return impl_->generation();
}

}  // namespace herald::cache
