// InventoryApp reads: every GET is cache-aside through the Herald cache, with the
// position of the channel that announces its changes read first (see the header).
// The plan_* functions are plain functions on purpose (no coroutine temporaries).
#include <inventory/api_response.hpp>
#include <inventory/inventory_app.hpp>
#include <inventory/inventory_json.hpp>

#include <herald/cache/cache_key.hpp>

#include <boost/json/serialize.hpp>

#include <charconv>
#include <stdexcept>

namespace herald::inventory {
namespace asio = boost::asio;
namespace json = boost::json;

namespace {

/// Cache keys live in the "inventory" namespace.
constexpr const char* kNamespace = "inventory";

/// An integer query parameter with a default; nullopt when present but not an integer.
std::optional<std::int64_t> int_param(const gateway::AppRequest& req, const std::string& name,
                                      std::int64_t fallback) {
  auto it = req.query.find(name);
  if (it == req.query.end() || it->second.empty()) return fallback;
  std::int64_t v = 0;
  const auto& s = it->second;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
  return v;
}

/// Serialises a store result for the cache: the body, nullopt for not_found. Other
/// failures throw: the cache reports loader_failed (or answers stale, fail-safe).
template <class T>
std::optional<std::string> body_of(const StoreResult<T>& r) {
  if (r) return json::serialize(json::value_from(*r));
  if (r.error().code == StoreErrc::not_found) return std::nullopt;
  throw std::runtime_error(r.error().message);
}

/// A loader calling `read(store)` (a store method returning a lazy awaitable).
template <class Read>
cache::Loader loader(InventoryStore& store, Read read) {
  return [&store, read]() -> asio::awaitable<std::optional<std::string>> {
    auto r = co_await read(store);
    co_return body_of(r);
  };
}

}  // namespace

asio::awaitable<std::optional<std::string>> InventoryApp::position(const std::string& channel) {
  auto h = co_await engine_.history(channel, std::nullopt, 0);
  if (!h) co_return std::nullopt;
  co_return channel + ":" + h->position.epoch + ":" + std::to_string(h->position.offset);
}

asio::awaitable<InventoryApp::Response> InventoryApp::cached_read(const Planned& planned) {
  if (const auto* error = std::get_if<Response>(&planned)) co_return *error;
  const ReadPlan& plan = std::get<ReadPlan>(planned);
  // Position first: a change published after this point is at a higher offset, so a
  // page subscribing since this position receives it even if the data below was read
  // (or cached) before the change.
  auto pos = co_await position(plan.channel);
  auto r = co_await cache_.get_or_set(plan.key, plan.loader, plan.policy);
  Response out;
  if (!r) {
    out = error_response(503, "the data could not be loaded: " + r.error().message());
  } else if (!r->value) {
    out = error_response(404, plan.not_found);
  } else {
    out = raw_json_response(200, *r->value);
  }
  if (r) {
    const char* state = r->stale                                  ? "STALE"
                        : r->source == cache::CacheSource::loader ? "MISS"
                                                                  : "HIT";
    out.headers.emplace_back("X-Cache", state);
  }
  if (pos) out.headers.emplace_back("Herald-Position", *pos);
  co_return out;
}

InventoryApp::Planned InventoryApp::plan_list_products(const gateway::AppRequest& req) {
  auto page = int_param(req, "page", 1);
  auto per_page = int_param(req, "per_page", 25);
  if (!page || *page < 1) return error_response(400, "page must be a positive integer");
  if (!per_page || *per_page < 1 || *per_page > 100)
    return error_response(400, "per_page must be an integer between 1 and 100");
  auto q_it = req.query.find("q");
  const std::string q = q_it == req.query.end() ? "" : q_it->second;
  if (q.size() > 100) return error_response(400, "q must be at most 100 characters");

  ReadPlan plan;
  plan.key = cache::CacheKey(kNamespace)
                 .entity("products")
                 .param("page", std::to_string(*page))
                 .param("per_page", std::to_string(*per_page))
                 .param("q", q)
                 .str();
  // Pages show stock too: every product or stock write invalidates "products".
  plan.policy = presets_.get("products");
  plan.policy.tags = {"products"};
  plan.channel = "inventory";
  const ProductQuery query{*page, *per_page, q};
  plan.loader = loader(store_, [query](InventoryStore& s) { return s.list_products(query); });
  plan.not_found = "no products";
  return plan;
}

InventoryApp::Planned InventoryApp::plan_product(std::int64_t id) {
  const std::string sid = std::to_string(id);
  ReadPlan plan;
  plan.key = cache::CacheKey(kNamespace).entity("product").id(id).str();
  plan.policy = presets_.get("products");
  plan.policy.tags = {"products:" + sid, "inventory:" + sid};  // the detail shows stock
  plan.channel = "inventory";
  plan.loader = loader(store_, [id](InventoryStore& s) { return s.get_product(id); });
  plan.not_found = "product " + sid + " not found";
  return plan;
}

InventoryApp::Planned InventoryApp::plan_inventory(std::int64_t id) {
  const std::string sid = std::to_string(id);
  ReadPlan plan;
  plan.key = cache::CacheKey(kNamespace).entity("stock").id(id).str();
  plan.policy = presets_.get("inventory");
  plan.policy.tags = {"inventory:" + sid};
  plan.channel = "inventory";
  plan.loader = loader(store_, [id](InventoryStore& s) { return s.get_inventory(id); });
  plan.not_found = "product " + sid + " not found";
  return plan;
}

InventoryApp::Planned InventoryApp::plan_orders(const gateway::AppRequest& req) {
  auto page = int_param(req, "page", 1);
  auto per_page = int_param(req, "per_page", 20);
  if (!page || *page < 1) return error_response(400, "page must be a positive integer");
  if (!per_page || *per_page < 1 || *per_page > 100)
    return error_response(400, "per_page must be an integer between 1 and 100");
  const std::int64_t p = *page, pp = *per_page;
  ReadPlan plan;
  plan.key = cache::CacheKey(kNamespace)
                 .entity("orders")
                 .param("page", std::to_string(p))
                 .param("per_page", std::to_string(pp))
                 .str();
  plan.policy = presets_.get("orders");
  plan.policy.tags = {"orders"};
  plan.channel = "orders";
  plan.loader = loader(store_, [p, pp](InventoryStore& s) { return s.list_orders(p, pp); });
  plan.not_found = "no orders";
  return plan;
}

InventoryApp::Planned InventoryApp::plan_dashboard() {
  ReadPlan plan;
  plan.key = cache::CacheKey(kNamespace).entity("dashboard").str();
  plan.policy = presets_.get("dashboard");
  plan.policy.tags = {"dashboard"};
  plan.channel = "orders";  // orders drive it; stock events also refresh the page's copy
  plan.loader = loader(store_, [](InventoryStore& s) { return s.dashboard(); });
  plan.not_found = "no dashboard";
  return plan;
}

}  // namespace herald::inventory
