// Invalidation: by key (tombstone), by tag (version INCR), by namespace (version
// INCR + SCAN/UNLINK clean-up), and the Pub/Sub bus that carries every
// invalidation to every node's L1.
//
// Bus messages: "<kind>|<node id>|<body>", kind k (key), t (tags, \x1f-separated),
// n (namespace). A node applies its own invalidations at once and ignores their
// echo; tag invalidations from anywhere reach the InvalidationListeners.
#include "cache/cache_impl.hpp"

#include <herald/cache/cache_key.hpp>
#include <herald/redis/request.hpp>
#include <herald/redis/scan.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <spdlog/spdlog.h>

namespace herald::cache {
namespace asio = boost::asio;
using namespace std::chrono;

namespace {

constexpr char kTagSeparator = '\x1f';

}  // namespace

void Cache::Impl::start() {
  if (!bus_) return;
  auto weak = weak_from_this();
  bus_->on_message([weak](const redis::PubSubMessage& m) {
    if (auto self = weak.lock()) self->on_bus_message(m.payload);
  });
  bus_->on_state([weak](redis::SubscriberState s) {
    if (auto self = weak.lock()) self->on_bus_state(s);
  });
  bus_->subscribe({config_.bus_channel});
  bus_->start();
  if (config_.stats_interval.count() > 0) {
    stats_timer_ = std::make_unique<asio::steady_timer>(ex_);
    asio::co_spawn(ex_, flush_stats(shared_from_this()), asio::detached);
  }
}

void Cache::Impl::stop() {
  if (bus_) bus_->stop();
  if (stats_timer_) stats_timer_->cancel();
  pool_ = nullptr;  // nothing more goes to Redis; the owner may now destroy the pool
}

asio::awaitable<void> Cache::Impl::flush_stats(std::shared_ptr<Impl> self) {
  while (pool_ != nullptr) {
    stats_timer_->expires_after(config_.stats_interval);
    auto [ec] = co_await stats_timer_->async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec || pool_ == nullptr) break;
    if (!redis_ready()) continue;
    const CacheStats& s = stats_;
    redis::Request req;
    req.timeout = config_.redis_timeout;
    req.push("HSET", stats_key(), "l1_hits", s.l1_hits, "l1_misses", s.l1_misses, "l2_hits",
             s.l2_hits, "l2_misses", s.l2_misses, "stale_served", s.stale_served, "loads", s.loads,
             "load_errors", s.load_errors, "lock_waits", s.lock_waits, "lock_timeouts",
             s.lock_timeouts, "redis_errors", s.redis_errors, "writes_skipped", s.writes_skipped,
             "invalidations", s.invalidations, "l1_entries", l1_.size(), "l1_bytes", l1_.bytes());
    req.push("PEXPIRE", stats_key(), config_.stats_interval.count() * 6);
    co_await pool_->exec_all(req);
  }
  (void)self;
}

void Cache::Impl::on_bus_state(redis::SubscriberState state) {
  // Any change of bus health means L1 may have missed invalidations: a new epoch
  // demotes every L1 entry to a fail-safe fallback.
  ++epoch_;
  bump_generation();
  bus_up_ = state != redis::SubscriberState::disconnected;
  if (!bus_up_) spdlog::warn("cache: invalidation bus down; L1 serves only briefly");
}

void Cache::Impl::on_bus_message(std::string_view payload) {
  auto first = payload.find('|');
  auto second = first == std::string_view::npos ? first : payload.find('|', first + 1);
  if (second == std::string_view::npos || first != 1) return;
  const char kind = payload[0];
  if (payload.substr(2, second - 2) == node_id_) return;  // our own, already applied
  const std::string body{payload.substr(second + 1)};
  switch (kind) {
    case 'k':
      apply_key(body);
      break;
    case 'n':
      apply_namespace(body);
      break;
    case 'a':
      apply_clear();
      break;
    case 't': {
      std::vector<std::string> tags;
      std::size_t start = 0;
      for (;;) {
        auto end = body.find(kTagSeparator, start);
        tags.push_back(body.substr(start, end - start));
        if (end == std::string::npos) break;
        start = end + 1;
      }
      apply_tags(tags);
      for (const auto& listener : listeners_) listener(tags);
      break;
    }
    default:
      break;
  }
}

void Cache::Impl::apply_key(const std::string& key) {
  ++removals_;
  bump_generation();
  l1_.erase(key);
  if (auto it = running_.find(key); it != running_.end()) it->second->invalidated = true;
}

void Cache::Impl::apply_namespace(const std::string& ns) {
  const std::string prefix = ns + ":";
  ++removals_;
  bump_generation();
  l1_.erase_prefix(prefix);
  for (auto& [key, state] : running_)
    if (key.starts_with(prefix)) state->invalidated = true;
}

void Cache::Impl::apply_clear() {
  ++removals_;
  bump_generation();
  l1_.clear();
  ++epoch_;
  for (auto& [key, state] : running_) state->invalidated = true;
}

void Cache::Impl::apply_tags(const std::vector<std::string>& tags) {
  for (const auto& tag : tags) ++tag_generations_[tag];
  bump_generation();
}

asio::awaitable<void> Cache::Impl::publish(std::string message) {
  if (!redis_ready()) co_return;
  redis::Request req;
  req.timeout = config_.redis_timeout;
  req.push("PUBLISH", config_.bus_channel, message);
  auto reply = co_await pool_->exec(req);
  if (!reply) ++stats_.redis_errors;
}

asio::awaitable<Result<void>> Cache::Impl::remove(const std::string& key) {
  ++stats_.invalidations;
  apply_key(key);
  if (pool_ == nullptr) co_return Result<void>{};
  // A tombstone, not a DEL: a load that started before this cannot write back
  // (its stamp no longer matches).
  CacheEntry tomb;
  tomb.stamp = new_stamp();
  tomb.created_ms = tomb.expires_ms = wall_ms();
  tomb.flags = CacheEntry::kTombstone;
  redis::Request req;
  req.timeout = config_.redis_timeout;
  req.push("SET", entry_key(key), tomb.encode(), "PX", config_.tombstone_ttl.count());
  req.push("PUBLISH", config_.bus_channel, "k|" + node_id_ + "|" + key);
  auto replies = co_await pool_->exec_all(req);
  if (!replies || (*replies)[0].is_error()) {
    ++stats_.redis_errors;
    co_return CacheErrc::redis_unavailable;
  }
  co_return Result<void>{};
}

asio::awaitable<Result<std::size_t>> Cache::Impl::invalidate_tags(
    const std::vector<std::string>& tags) {
  std::vector<std::string> valid;
  for (const auto& t : tags)
    if (valid_tag(t) && t.find(kTagSeparator) == std::string::npos) valid.push_back(t);
  if (valid.empty()) co_return std::size_t{0};
  stats_.invalidations += valid.size();
  apply_tags(valid);
  for (const auto& listener : listeners_) listener(valid);
  for (const auto& listener : local_listeners_) listener(valid);
  if (pool_ == nullptr) co_return std::size_t{0};

  std::string body;
  for (const auto& t : valid) {
    if (!body.empty()) body += kTagSeparator;
    body += t;
  }
  redis::Request req;
  req.timeout = config_.redis_timeout;
  for (const auto& t : valid) {
    req.push("INCR", tag_key(t));          // the one write that invalidates every entry
    req.push("GETDEL", tag_count_key(t));  // how many were written under it
  }
  req.push("PUBLISH", config_.bus_channel, "t|" + node_id_ + "|" + body);
  auto replies = co_await pool_->exec_all(req);
  if (!replies || (*replies)[0].is_error()) {
    ++stats_.redis_errors;
    co_return CacheErrc::redis_unavailable;
  }
  std::size_t keys = 0;
  for (std::size_t i = 0; i < valid.size(); ++i)
    keys += static_cast<std::size_t>((*replies)[2 * i + 1].as_integer().value_or(0));
  co_return keys;
}

asio::awaitable<Result<std::size_t>> Cache::Impl::invalidate_namespace(const std::string& ns) {
  ++stats_.invalidations;
  apply_namespace(ns);
  if (pool_ == nullptr) co_return std::size_t{0};
  redis::Request req;
  req.timeout = config_.redis_timeout;
  req.push("INCR", ns_key(ns));  // every entry of ns is invalid from here on
  req.push("PUBLISH", config_.bus_channel, "n|" + node_id_ + "|" + ns);
  auto replies = co_await pool_->exec_all(req);
  if (!replies || (*replies)[0].is_error()) {
    ++stats_.redis_errors;
    co_return CacheErrc::redis_unavailable;
  }
  // Clean-up: the entries are already invalid; delete them in small batches so no
  // single Redis call blocks the server.
  co_return co_await unlink_matching(layout_.namespace_entries_pattern(ns));
}

asio::awaitable<Result<std::size_t>> Cache::Impl::clear() {
  ++stats_.invalidations;
  apply_clear();
  if (pool_ == nullptr) co_return std::size_t{0};
  // One INCR invalidates every entry (and every load in flight: its write-back
  // compares the generation); the counters stay, so versions never go backwards.
  redis::Request req;
  req.timeout = config_.redis_timeout;
  req.push("INCR", generation_key());
  req.push("PUBLISH", config_.bus_channel, "a|" + node_id_ + "|");
  auto replies = co_await pool_->exec_all(req);
  if (!replies || (*replies)[0].is_error()) {
    ++stats_.redis_errors;
    co_return CacheErrc::redis_unavailable;
  }
  co_return co_await unlink_matching(layout_.all_entries_pattern());
}

/// SCAN MATCH pattern COUNT 1000 + UNLINK per batch (never KEYS): each call stays
/// short however many keys match. Returns how many were deleted.
asio::awaitable<Result<std::size_t>> Cache::Impl::unlink_matching(std::string pattern) {
  std::size_t deleted = 0;
  if (pool_ == nullptr) co_return CacheErrc::redis_unavailable;  // stopped meanwhile
  redis::ScanCursor cursor{pool_->pick(), std::move(pattern), 1000};
  while (!cursor.done()) {
    auto batch = co_await cursor.next();
    if (!batch) {
      ++stats_.redis_errors;
      co_return CacheErrc::redis_unavailable;
    }
    if (batch->empty()) continue;
    if (pool_ == nullptr) co_return CacheErrc::redis_unavailable;  // stopped meanwhile
    redis::Request unlink;
    unlink.push_range("UNLINK", {}, *batch);
    auto n = co_await pool_->exec(unlink);
    if (n && n->is_integer()) deleted += static_cast<std::size_t>(n->integer);
  }
  co_return deleted;
}

}  // namespace herald::cache
