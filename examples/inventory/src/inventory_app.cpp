// InventoryApp: construction, the gateway hook (hop to the app's executor), routing
// and the cache statistics endpoint. Reads are in inventory_reads.cpp, writes in
// inventory_writes.cpp.
#include <inventory/api_response.hpp>
#include <inventory/inventory_app.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/object.hpp>

#include <charconv>
#include <exception>

namespace herald::inventory {
namespace asio = boost::asio;

namespace {

/// A positive integer id from a path segment; nullopt when it is not one.
std::optional<std::int64_t> parse_id(std::string_view s) {
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size() || v <= 0) return std::nullopt;
  return v;
}

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> parts;
  std::size_t start = 1;  // skip the leading '/'
  while (start <= path.size()) {
    const std::size_t end = std::min(path.find('/', start), path.size());
    if (end > start) parts.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

gateway::AppResponse method_not_allowed(std::string_view allow) {
  auto r = error_response(405, "method not allowed");
  r.headers.emplace_back("Allow", std::string(allow));
  return r;
}

gateway::AppResponse bad_id(std::string_view what) {
  return error_response(400, std::string(what) + " id must be a positive integer");
}

}  // namespace

std::filesystem::path InventoryOptions::default_web_root() {
  return HERALD_INVENTORY_WEB_ROOT;
}
std::filesystem::path InventoryOptions::default_client_dir() {
  return HERALD_CLIENT_DIR;
}

InventoryApp::InventoryApp(asio::any_io_executor executor, InventoryStore& store,
                           cache::Cache& cache, realtime::Engine& engine, InventoryOptions options)
    : executor_(std::move(executor)),
      store_(store),
      cache_(cache),
      engine_(engine),
      presets_(options.cache_enabled ? default_presets() : uncached_presets()),
      files_(options.web_root, options.client_dir) {}

cache::PolicyPresets InventoryApp::uncached_presets() {
  cache::CachePolicy none;
  none.ttl = std::chrono::milliseconds(1);
  none.jitter = 0;
  none.negative_ttl = none.l1_ttl = none.fail_safe_max = std::chrono::milliseconds(0);
  none.lock = false;
  cache::PolicyPresets presets;
  for (const char* name : {"products", "inventory", "orders", "dashboard"}) presets.set(name, none);
  return presets;
}

cache::PolicyPresets InventoryApp::default_presets() {
  using std::chrono::milliseconds;
  cache::PolicyPresets presets;
  cache::CachePolicy products;  // catalogue pages and details: read-mostly
  products.ttl = milliseconds(60'000);
  presets.set("products", products);
  cache::CachePolicy inventory;  // stock moves often; writes invalidate anyway
  inventory.ttl = inventory.l1_ttl = milliseconds(10'000);
  presets.set("inventory", inventory);
  presets.set("orders", inventory);
  cache::CachePolicy dashboard;  // expensive aggregate: one loader across nodes
  dashboard.ttl = milliseconds(60'000);
  dashboard.lock = true;
  presets.set("dashboard", dashboard);
  return presets;
}

gateway::AppHandler InventoryApp::handler() {
  return [this](gateway::AppRequest request) { return serve(std::move(request)); };
}

asio::awaitable<InventoryApp::MaybeResponse> InventoryApp::serve(gateway::AppRequest request) {
  // Completes back on the calling shard's executor (use_awaitable).
  co_return co_await asio::co_spawn(executor_, handle(std::move(request)), asio::use_awaitable);
}

asio::awaitable<InventoryApp::MaybeResponse> InventoryApp::handle(gateway::AppRequest request) {
  std::string failure;
  try {
    co_return co_await dispatch(request);
  } catch (const std::exception& e) {
    failure = e.what();
  } catch (...) {
    failure = "unknown error";
  }
  co_return error_response(500, "internal error: " + failure);
}

asio::awaitable<InventoryApp::MaybeResponse> InventoryApp::dispatch(
    const gateway::AppRequest& req) {
  const std::string& m = req.method;
  const bool get = m == "GET" || m == "HEAD";
  if (!req.path.starts_with("/api/")) {
    if (!get) co_return std::nullopt;
    co_return files_.serve(req.path);
  }
  const auto parts = split_path(req.path);  // parts[0] == "api"
  const std::size_t n = parts.size();
  const std::string_view resource = n > 1 ? parts[1] : "";

  if (resource == "products") {
    if (n == 2) {
      if (get) co_return co_await cached_read(plan_list_products(req));
      if (m == "POST") co_return co_await create_product(req);
      co_return method_not_allowed("GET, POST");
    }
    if (n == 3) {
      auto id = parse_id(parts[2]);
      if (!id) co_return bad_id("product");
      if (get) co_return co_await cached_read(plan_product(*id));
      if (m == "PUT" || m == "PATCH") co_return co_await update_product(*id, req);
      co_return method_not_allowed("GET, PUT, PATCH");
    }
    co_return error_response(404, "no such resource");
  }
  if (resource == "inventory" && (n == 3 || n == 4)) {
    auto id = parse_id(parts[2]);
    if (!id) co_return bad_id("product");
    if (n == 3) {
      if (get) co_return co_await cached_read(plan_inventory(*id));
      co_return method_not_allowed("GET");
    }
    if (parts[3] != "adjust") co_return error_response(404, "no such resource");
    if (m == "POST") co_return co_await adjust_stock(*id, req);
    co_return method_not_allowed("POST");
  }
  if (resource == "orders" && n == 2) {
    if (get) co_return co_await cached_read(plan_orders(req));
    if (m == "POST") co_return co_await place_order(req);
    co_return method_not_allowed("GET, POST");
  }
  if (resource == "dashboard" && n == 2) {
    if (get) co_return co_await cached_read(plan_dashboard());
    co_return method_not_allowed("GET");
  }
  if (resource == "stats" && n == 2) {
    if (get) co_return stats();
    co_return method_not_allowed("GET");
  }
  if (resource == "inventory") co_return error_response(404, "no such resource");
  co_return std::nullopt;  // not the app's: the gateway answers 404
}

InventoryApp::Response InventoryApp::stats() const {
  const cache::CacheStats& s = cache_.stats();
  return json_response(200, {{"hit_ratio", s.hit_ratio()},
                             {"hits", s.l1_hits + s.l2_hits},
                             {"misses", s.l2_misses},
                             {"l1_hits", s.l1_hits},
                             {"l1_misses", s.l1_misses},
                             {"l2_hits", s.l2_hits},
                             {"l2_misses", s.l2_misses},
                             {"stale_served", s.stale_served},
                             {"loads", s.loads},
                             {"load_errors", s.load_errors},
                             {"invalidations", s.invalidations},
                             {"l1_entries", cache_.l1_size()},
                             {"l1_bytes", cache_.l1_bytes()},
                             {"coherent", cache_.coherent()},
                             {"engine", engine_.name()}});
}

}  // namespace herald::inventory
