// CacheHost: see cache_host.hpp. The bridge publishes `{"tags":[...]}` on each
// `tag:<tag>` channel (protocol/invalidation.hpp); the publication's frame for a
// `tag:` channel is the protocol's `invalidate` frame (realtime::make_publication),
// so subscribers see {"type":"invalidate",...,"tags":[...]} with the channel's
// offset and epoch.
#include "app/cache_host.hpp"

#include <herald/protocol/invalidation.hpp>
#include <herald/realtime/engine.hpp>
#include <herald/redis/pool.hpp>
#include <herald/redis/request.hpp>
#include <herald/redis/url.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <future>
#include <mutex>
#include <optional>
#include <stdexcept>

namespace herald::app {
namespace asio = boost::asio;

struct CacheHost::State {
  State(cache::CacheConfig config, std::optional<redis::ConnectionConfig> redis)
      : cache(std::move(config), std::move(redis)), stats_timer(cache.executor()) {}
  cache::SharedCache cache;
  asio::steady_timer stats_timer;  ///< on the cache thread
  bool stats_running = false;
  std::promise<void> stats_ended;  ///< set when refresh_stats returns
  mutable std::mutex stats_mutex;
  std::string stats_text;  ///< guarded by stats_mutex
  std::string stats_json;  ///< guarded by stats_mutex: the admin console's figures
  realtime::Engine* engine = nullptr;
};

namespace {

std::string render(const cache::CacheStats& s, std::size_t l1_entries, std::size_t l1_bytes,
                   bool coherent) {
  std::string out;
  auto counter = [&](const char* name, const char* help, std::uint64_t v) {
    out += std::string("# HELP herald_cache_") + name + " " + help + "\n# TYPE herald_cache_" +
           name + " counter\nherald_cache_" + name + " " + std::to_string(v) + "\n";
  };
  // Lookups by level: label `level` = l1 (in process) | l2 (Redis).
  auto by_level = [&](const char* name, const char* help, std::uint64_t l1, std::uint64_t l2) {
    out += std::string("# HELP herald_cache_") + name + " " + help + "\n# TYPE herald_cache_" +
           name + " counter\n";
    out += std::string("herald_cache_") + name + "{level=\"l1\"} " + std::to_string(l1) + "\n";
    out += std::string("herald_cache_") + name + "{level=\"l2\"} " + std::to_string(l2) + "\n";
  };
  by_level("hits_total", "Cache hits by level (l1: in process, l2: Redis).", s.l1_hits, s.l2_hits);
  by_level("misses_total", "Cache misses by level (an L1 miss goes on to L2 when there is one).",
           s.l1_misses, s.l2_misses);
  counter("stale_total", "Stale answers (stale-while-revalidate, fail-safe), either level.",
          s.stale_served);
  counter("loads_total", "Loader calls.", s.loads);
  counter("load_errors_total", "Loader failures and hard timeouts.", s.load_errors);
  counter("lock_waits_total", "Waits for another node's load.", s.lock_waits);
  counter("lock_timeouts_total", "Lock waits that gave up.", s.lock_timeouts);
  counter("redis_errors_total", "Redis calls that failed (the cache failed open).", s.redis_errors);
  counter("writes_total", "Write-backs stored in Redis (their write notice published).", s.writes);
  counter("writes_skipped_total", "Write-backs refused after an invalidation.", s.writes_skipped);
  counter("invalidations_total", "Keys, tags and namespaces invalidated here.", s.invalidations);
  out += "# HELP herald_cache_hit_ratio Hits over lookups.\n# TYPE herald_cache_hit_ratio gauge\n";
  out += "herald_cache_hit_ratio " + std::to_string(s.hit_ratio()) + "\n";
  out += "# HELP herald_cache_l1_entries Entries in L1.\n# TYPE herald_cache_l1_entries gauge\n";
  out += "herald_cache_l1_entries " + std::to_string(l1_entries) + "\n";
  out += "# HELP herald_cache_l1_bytes Bytes in L1.\n# TYPE herald_cache_l1_bytes gauge\n";
  out += "herald_cache_l1_bytes " + std::to_string(l1_bytes) + "\n";
  out += "# HELP herald_cache_coherent 1 when the invalidation bus is up (or no Redis).\n";
  out += "# TYPE herald_cache_coherent gauge\nherald_cache_coherent " +
         std::string(coherent ? "1" : "0") + "\n";
  return out;
}

/// Redis's used memory and key count (of the cache's database), as gauges; empty
/// without Redis or when it does not answer. One INFO + DBSIZE round trip.
asio::awaitable<std::string> redis_gauges(CacheHost::State& s) {
  redis::Pool* pool = s.cache.pool();
  if (pool == nullptr || !pool->connected()) co_return std::string{};
  redis::Request req;
  req.timeout = std::chrono::milliseconds{500};
  req.push("INFO", "memory");
  req.push("DBSIZE");
  auto replies = co_await pool->exec_all(req);
  if (!replies || !(*replies)[0].is_string()) co_return std::string{};
  const std::string& info = (*replies)[0].str;
  std::string used = "0";
  if (auto pos = info.find("used_memory:"); pos != std::string::npos) {
    pos += 12;
    used = info.substr(pos, info.find_first_of("\r\n", pos) - pos);
  }
  const long long keys = (*replies)[1].as_integer().value_or(0);
  co_return "# HELP herald_cache_redis_used_memory_bytes Redis used_memory.\n"
            "# TYPE herald_cache_redis_used_memory_bytes gauge\n"
            "herald_cache_redis_used_memory_bytes " + used + "\n"
            "# HELP herald_cache_redis_keys Keys in the cache's Redis database.\n"
            "# TYPE herald_cache_redis_keys gauge\n"
            "herald_cache_redis_keys " + std::to_string(keys) + "\n";
}

asio::awaitable<void> refresh_stats(std::shared_ptr<CacheHost::State> state) {
  CacheHost::State& s = *state;
  cache::Cache& c = s.cache.cache();  // on its thread: this coroutine runs there
  std::string redis_text;
  for (unsigned tick = 0;; ++tick) {
    // Redis figures every 5 s (they cost a round trip); counters every second.
    if (tick % 5 == 0 || redis_text.empty()) redis_text = co_await redis_gauges(s);
    {
      std::lock_guard lock{s.stats_mutex};
      s.stats_text = render(c.stats(), c.l1_size(), c.l1_bytes(), c.coherent()) + redis_text;
      const cache::CacheStats st = c.stats();
      s.stats_json = "{\"l1_hits\":" + std::to_string(st.l1_hits) +
                     ",\"l1_misses\":" + std::to_string(st.l1_misses) +
                     ",\"l2_hits\":" + std::to_string(st.l2_hits) +
                     ",\"l2_misses\":" + std::to_string(st.l2_misses) +
                     ",\"stale\":" + std::to_string(st.stale_served) + "}";
    }
    s.stats_timer.expires_after(std::chrono::seconds{1});
    auto [ec] = co_await s.stats_timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec || !s.stats_running) break;
  }
  s.stats_ended.set_value();
}

/// Publishes one tag's invalidation; failures are logged by the engine's caller side
/// only as a missed notification (the cache itself is already invalidated).
asio::awaitable<void> publish_tag(realtime::Engine& engine, std::string channel, std::string body) {
  co_await engine.publish(std::move(channel), std::move(body));
}

std::optional<redis::ConnectionConfig> cache_redis(const std::string& redis_url) {
  if (redis_url.empty()) return std::nullopt;
  auto url = redis::RedisUrl::parse(redis_url);
  if (!url) throw std::invalid_argument("bad redis URL for the cache");
  redis::ConnectionConfig rc;
  rc.url = *url;
  return rc;
}

}  // namespace

CacheHost::CacheHost(const std::string& redis_url)
    : state_(std::make_shared<State>(cache::CacheConfig{}, cache_redis(redis_url))) {}

CacheHost::~CacheHost() {
  State& s = *state_;
  if (s.stats_running) {
    // End the statistics loop on the cache thread before the cache stops.
    asio::post(s.cache.executor(), [&s] {
      s.stats_running = false;
      s.stats_timer.cancel();
    });
    s.stats_ended.get_future().wait();
  }
  s.cache.stop();
}

void CacheHost::bridge_to(realtime::Engine& engine) {
  state_->engine = &engine;
  // A node-local engine needs every invalidation (its own and the bus's); a shared one
  // (Redis) only this node's: the other nodes publish theirs.
  const bool shared = engine.name() != "memory";
  auto publish = [state = state_.get()](const std::vector<std::string>& tags) {
    const std::string data = protocol::encode_invalidation_data(tags);
    for (const auto& t : tags)
      asio::co_spawn(state->cache.executor(),
                     publish_tag(*state->engine, protocol::tag_channel(t), data), asio::detached);
  };
  // Before start(): the cache's thread is not running yet.
  if (shared) {
    state_->cache.cache().on_local_invalidate(std::move(publish));
  } else {
    state_->cache.cache().on_invalidate(std::move(publish));
  }
}

void CacheHost::start() {
  State& s = *state_;
  s.cache.start();
  s.stats_running = true;
  asio::co_spawn(s.cache.executor(), refresh_stats(state_), asio::detached);
}

cache::SharedCache& CacheHost::shared() noexcept {
  return state_->cache;
}

std::string CacheHost::prometheus() const {
  std::lock_guard lock{state_->stats_mutex};
  return state_->stats_text;
}

std::string CacheHost::figures_json() const {
  std::lock_guard lock{state_->stats_mutex};
  return state_->stats_json.empty() ? std::string("null") : state_->stats_json;
}

}  // namespace herald::app
