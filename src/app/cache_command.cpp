// herald cache ...: stats adds up the counters every node writes to
// `{prefix}:stats:<node>` and reads Redis's memory and the cache's key count;
// clear and invalidate run the Cache operations, so every node's L1 hears them.
#include "app/cache_command.hpp"

#include "app/config/setting.hpp"
#include "cache/cache_layout.hpp"

#include <herald/cache/cache.hpp>
#include <herald/redis/pool.hpp>
#include <herald/redis/scan.hpp>
#include <herald/redis/tls_context.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <CLI/CLI.hpp>

#include <cstdio>
#include <map>

namespace herald::app {
namespace asio = boost::asio;

namespace {

struct Options {
  std::string redis_url = "redis://127.0.0.1:6379";
  std::string prefix = cache::CacheConfig{}.prefix;
  bool json = false;
  std::string ns;
  std::vector<std::string> tags;
};

/// Field from Redis's INFO text ("used_memory:123\r\n").
std::string info_field(const std::string& info, const std::string& name) {
  auto pos = info.find(name + ":");
  if (pos == std::string::npos) return {};
  pos += name.size() + 1;
  return info.substr(pos, info.find_first_of("\r\n", pos) - pos);
}

asio::awaitable<int> stats(redis::Pool& pool, const Options& o) {
  const cache::CacheLayout layout(o.prefix);
  std::map<std::string, long long> totals;
  int nodes = 0;
  redis::ScanCursor stats_keys{pool.pick(), layout.all_stats_pattern(), 1000};
  while (!stats_keys.done()) {
    auto batch = co_await stats_keys.next();
    if (!batch) co_return 1;
    for (const auto& key : *batch) {
      redis::Request req;
      req.push("HGETALL", key);
      auto r = co_await pool.exec(req);
      if (!r || !r->is_array()) continue;
      ++nodes;
      for (std::size_t i = 0; i + 1 < r->elements.size(); i += 2)
        totals[r->elements[i].str] += r->elements[i + 1].as_integer().value_or(0);
    }
  }
  long long entries = 0;
  redis::ScanCursor entry_keys{pool.pick(), layout.all_entries_pattern(), 1000};
  while (!entry_keys.done()) {
    auto batch = co_await entry_keys.next();
    if (!batch) co_return 1;
    entries += static_cast<long long>(batch->size());
  }
  redis::Request info_req;
  info_req.push("INFO", "memory");
  auto info = co_await pool.exec(info_req);
  const std::string used = info && info->is_string() ? info_field(info->str, "used_memory") : "";
  const std::string used_h =
      info && info->is_string() ? info_field(info->str, "used_memory_human") : "";

  const double hits = static_cast<double>(totals["l1_hits"] + totals["l2_hits"]);
  const double lookups = hits + static_cast<double>(totals["l2_misses"]);
  const double ratio = lookups > 0 ? hits / lookups : 0.0;
  if (o.json) {
    boost::json::object out;
    out["nodes"] = nodes;
    for (const auto& [k, v] : totals) out[k] = v;
    out["hit_ratio"] = ratio;
    out["redis_keys"] = entries;
    out["redis_used_memory"] = used.empty() ? 0 : std::stoll(used);
    std::printf("%s\n", boost::json::serialize(out).c_str());
    co_return 0;
  }
  std::printf("cache %s on %s (%d node%s reporting)\n", o.prefix.c_str(), o.redis_url.c_str(),
              nodes, nodes == 1 ? "" : "s");
  for (const char* k : {"l1_hits", "l1_misses", "l2_hits", "l2_misses", "stale_served", "loads",
                        "load_errors", "lock_waits", "lock_timeouts", "redis_errors",
                        "writes_skipped", "invalidations", "l1_entries", "l1_bytes"})
    std::printf("  %-16s %lld\n", k, totals[k]);
  std::printf("  %-16s %.1f %%\n", "hit_ratio", ratio * 100);
  std::printf("  %-16s %lld\n", "redis_keys", entries);
  std::printf("  %-16s %s\n", "redis_memory", used_h.empty() ? "?" : used_h.c_str());
  co_return 0;
}

asio::awaitable<int> run(std::string command, Options o) {
  auto ex = co_await asio::this_coro::executor;
  auto url = redis::RedisUrl::parse(o.redis_url);
  if (!url) {
    std::fprintf(stderr, "herald cache: --redis: bad URL '%s'\n", o.redis_url.c_str());
    co_return 2;
  }
  redis::ConnectionConfig rc;
  rc.url = *url;
  rc.client_name = "herald-cli";
  if (std::string why = redis::prepare_tls(rc); !why.empty()) {
    std::fprintf(stderr, "herald cache: --redis: %s\n", why.c_str());
    co_return 2;
  }
  redis::Pool pool{ex, rc, 1};
  pool.start();
  if (!co_await pool.wait_connected(rc.connect_timeout)) {
    std::fprintf(stderr, "herald cache: cannot reach redis at %s\n", url->redacted().c_str());
    co_return 1;
  }
  int rc_code = 0;
  if (command == "stats") {
    rc_code = co_await stats(pool, o);
  } else {
    cache::CacheConfig cc;
    cc.prefix = o.prefix;
    cc.stats_interval = std::chrono::milliseconds{0};
    cc.redis_timeout = std::chrono::seconds{5};
    cache::Cache cache{ex, cc, &pool, rc};
    cache::Result<std::size_t> r = std::size_t{0};
    if (command == "invalidate")
      r = co_await cache.invalidate_tags(o.tags);
    else if (o.ns.empty())
      r = co_await cache.clear();
    else
      r = co_await cache.invalidate_namespace(o.ns);
    cache.stop();
    if (!r) {
      std::fprintf(stderr, "herald cache %s: %s\n", command.c_str(), r.error().message().c_str());
      rc_code = 1;
    } else if (o.json) {
      std::printf("{\"keys\":%zu}\n", *r);
    } else {
      std::printf("%s: %zu key%s\n", command == "invalidate" ? "invalidated" : "cleared", *r,
                  *r == 1 ? "" : "s");
    }
  }
  pool.stop();
  co_return rc_code;
}

}  // namespace

int run_cache_command(const std::vector<std::string>& args) {
  CLI::App app{"herald cache: inspect and invalidate the cache of a Herald cluster",
               "herald cache"};
  Options o;
  // The cache's Redis as `herald serve` reads it: the settings table's cache_redis,
  // then redis (their environment variables and URL syntax).
  const detail::Setting* cache_redis = detail::setting_for_key("cache_redis");
  const detail::Setting* redis = detail::setting_for_key("redis");
  // getenv before any thread exists (the io_context runs on this thread, later).
  for (const detail::Setting* s : {redis, cache_redis}) {
    if (const char* env =
            std::getenv(std::string(s->env).c_str()))  // NOLINT(concurrency-mt-unsafe)
      o.redis_url = env;
  }
  app.add_option("--redis", o.redis_url,
                 "Redis URL, as `herald serve --redis` takes it (env " +
                     std::string(cache_redis->env) + ", " + std::string(redis->env) + "; default " +
                     o.redis_url + ")");
  app.add_option("--prefix", o.prefix, "cache key prefix")->capture_default_str();
  app.add_flag("--json", o.json, "machine-readable output");
  app.require_subcommand(1);
  app.fallthrough();  // --redis/--prefix/--json may also follow the subcommand
  auto* stats_cmd =
      app.add_subcommand("stats", "counters of every node, hit ratio, Redis memory and keys");
  auto* clear_cmd = app.add_subcommand("clear", "drop the whole cache, or one namespace");
  clear_cmd->add_option("--namespace", o.ns, "only this namespace");
  auto* inv_cmd = app.add_subcommand("invalidate", "invalidate tags on every node");
  inv_cmd->add_option("--tag", o.tags, "tag to invalidate (repeatable)")->required();
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  {
    detail::ConfigDraft draft;
    if (auto problem = redis->apply(o.redis_url, draft)) {
      std::fprintf(stderr, "herald cache: --redis: %s\n", problem->c_str());
      return 2;
    }
  }
  std::string command = stats_cmd->parsed()   ? "stats"
                        : clear_cmd->parsed() ? "clear"
                                              : "invalidate";
  (void)inv_cmd;
  asio::io_context ioc{1};
  int code = 1;
  asio::co_spawn(ioc, run(command, o),
                 [&](const std::exception_ptr& e, int r) { code = e ? 1 : r; });
  ioc.run();
  return code;
}

}  // namespace herald::app
