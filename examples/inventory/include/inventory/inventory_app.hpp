// InventoryApp: the example inventory app's HTTP API and dashboard, served on
// Herald's port through the gateway's AppHandler hook (gateway/app_routes.hpp).
//
// Reads go through the Herald cache with named presets (products 60 s, inventory
// 10 s, orders 10 s, dashboard 60 s with the lock) and answer `X-Cache: HIT|MISS|STALE`.
// Writes run on the store, then invalidate the tags they touch (products,
// products:<id>, inventory:<id>, orders, dashboard), then publish what changed on the
// real-time channels `inventory`, `orders` and `products`, in that order, so a read
// that follows a write's answer is never stale. Reads carry
// `Herald-Position: <channel>:<epoch>:<offset>` of the channel announcing their
// changes, read BEFORE the cache: whatever is published after that point reaches a
// page that subscribes with `since` = that position, so nothing is ever missed.
//
// Thread: all state (the Cache, its presets) lives on the app's own executor (one
// thread or a strand). handler() is the gateway hook: called on any shard thread, it
// hops to that executor with co_spawn and back. Exceptions never leave handle():
// they become 500 JSON answers.
#pragma once

#include <inventory/inventory_store.hpp>
#include <inventory/static_files.hpp>

#include <herald/cache/cache.hpp>
#include <herald/cache/cache_policy.hpp>
#include <herald/gateway/app_routes.hpp>
#include <herald/realtime/engine.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace herald::inventory {

struct InventoryOptions {
  /// The page (index.html, app.js, style.css); default: examples/inventory/web in the
  /// source tree this library was built from.
  std::filesystem::path web_root = default_web_root();
  /// The JS client's directory, served at /client/ (herald.js and the modules it
  /// imports); default: clients/js.
  std::filesystem::path client_dir = default_client_dir();
  /// false: every read goes to SQLite (the yardstick of bench/inventory: what the
  /// cache saves). Policies then keep nothing: no L1, a 1 ms ttl, no fail-safe.
  bool cache_enabled = true;

  static std::filesystem::path default_web_root();
  static std::filesystem::path default_client_dir();
};

class InventoryApp {
 public:
  /// store, cache and engine must outlive the app; `cache` must live on `executor`.
  InventoryApp(boost::asio::any_io_executor executor, InventoryStore& store, cache::Cache& cache,
               realtime::Engine& engine, InventoryOptions options = {});

  /// The gateway hook: serves the request on the app's executor, from any thread.
  /// The app must outlive every call (keep it alive until the server has stopped).
  gateway::AppHandler handler();
  /// What handler() calls: co_spawns handle() on the app's executor and resumes the
  /// caller on its own. Cost: two executor hops.
  boost::asio::awaitable<std::optional<gateway::AppResponse>> serve(gateway::AppRequest request);

  /// Serves one request. Call on the app's executor. nullopt: not one of the app's
  /// routes (the gateway answers 404). Never throws.
  boost::asio::awaitable<std::optional<gateway::AppResponse>> handle(gateway::AppRequest request);

  /// The presets the app reads with: products 60 s, inventory 10 s, orders 10 s,
  /// dashboard 60 s with the distributed lock.
  static cache::PolicyPresets default_presets();
  static cache::PolicyPresets uncached_presets();

  const StaticFiles& static_files() const noexcept { return files_; }

 private:
  using Response = gateway::AppResponse;
  using MaybeResponse = std::optional<gateway::AppResponse>;

  boost::asio::awaitable<MaybeResponse> dispatch(const gateway::AppRequest& request);

  // Reads (inventory_reads.cpp). Each GET is planned by a plain function (validate,
  // key, policy, loader), then served by the one coroutine cached_read(). Keeping
  // closures and aggregates out of coroutine bodies sidesteps GCC 12 bugs with
  // class-type temporaries across co_await.
  struct ReadPlan {
    std::string key;
    cache::CachePolicy policy;
    std::string channel;  ///< the channel that announces changes of this data
    cache::Loader loader;
    std::string not_found;  ///< 404 message when the loader says "not found"
  };
  using Planned = std::variant<ReadPlan, Response>;  ///< a plan, or an error answer
  Planned plan_list_products(const gateway::AppRequest& request);
  Planned plan_product(std::int64_t id);
  Planned plan_inventory(std::int64_t id);
  Planned plan_orders(const gateway::AppRequest& request);
  Planned plan_dashboard();
  Response stats() const;
  /// Serves a planned read: position of plan.channel first, then get_or_set (the
  /// loader's output is the response body; nullopt = 404). Sets X-Cache and
  /// Herald-Position. plan_or_error: serve the plan, or return the error as is.
  boost::asio::awaitable<Response> cached_read(const Planned& plan_or_error);
  /// "<channel>:<epoch>:<offset>", or nullopt when the engine cannot say.
  boost::asio::awaitable<std::optional<std::string>> position(const std::string& channel);

  // Writes (inventory_writes.cpp).
  boost::asio::awaitable<Response> create_product(const gateway::AppRequest& request);
  boost::asio::awaitable<Response> update_product(std::int64_t id,
                                                  const gateway::AppRequest& request);
  boost::asio::awaitable<Response> adjust_stock(std::int64_t id,
                                                const gateway::AppRequest& request);
  boost::asio::awaitable<Response> place_order(const gateway::AppRequest& request);
  /// After a committed write: invalidate `tags`, then publish each (channel, body)
  /// in order. Returns the last position published on `inventory`, if any.
  boost::asio::awaitable<std::optional<std::string>> announce(
      std::vector<std::string> tags, std::vector<std::pair<std::string, std::string>> events);

  boost::asio::any_io_executor executor_;
  InventoryStore& store_;
  cache::Cache& cache_;
  realtime::Engine& engine_;
  cache::PolicyPresets presets_;
  StaticFiles files_;
};

}  // namespace herald::inventory
