// InventoryApp writes: the store commits, then the cache tags are invalidated, then
// the change is published. That order is what makes reads after a write fresh (the
// cache cannot answer the old value once the write's answer is sent) and live pages
// complete (a page whose data predates the change holds a position below it).
#include <inventory/api_response.hpp>
#include <inventory/inventory_app.hpp>
#include <inventory/inventory_json.hpp>

#include <boost/json/value_from.hpp>

namespace herald::inventory {
namespace asio = boost::asio;
namespace json = boost::json;

namespace {

using Events = std::vector<std::pair<std::string, std::string>>;

std::string product_tag(std::int64_t id) {
  return "products:" + std::to_string(id);
}
std::string inventory_tag(std::int64_t id) {
  return "inventory:" + std::to_string(id);
}

/// The write's answer, with the position of its announcement when there is one.
gateway::AppResponse written(int status, const json::value& body,
                             const std::optional<std::string>& position) {
  auto r = json_response(status, body);
  if (position) r.headers.emplace_back("Herald-Position", *position);
  return r;
}

}  // namespace

asio::awaitable<std::optional<std::string>> InventoryApp::announce(
    std::vector<std::string> tags, std::vector<std::pair<std::string, std::string>> events) {
  // L1-only caches cannot fail here; with Redis, a failed invalidation still cleared
  // this node's L1 and the entries' tag versions expire with their ttl.
  (void)co_await cache_.invalidate_tags(tags);
  std::optional<std::string> inventory_position;
  for (auto& [channel, body] : events) {
    auto pos = co_await engine_.publish(channel, std::move(body));
    if (pos && channel == "inventory")
      inventory_position = channel + ":" + pos->epoch + ":" + std::to_string(pos->offset);
  }
  co_return inventory_position;
}

asio::awaitable<InventoryApp::Response> InventoryApp::create_product(
    const gateway::AppRequest& req) {
  auto input = parse_product_input(req.body);
  if (!input) co_return failure_response(input.error());
  auto created = co_await store_.create_product(std::move(*input));
  if (!created) co_return failure_response(created.error());
  const Product& p = *created;
  // Named vectors, not braced lists in the co_await: GCC 12 miscompiles
  // initializer_list temporaries inside coroutine argument lists.
  std::vector<std::string> tags{"products", product_tag(p.id), inventory_tag(p.id), "dashboard"};
  Events events;
  events.emplace_back("inventory", product_event("created", p));
  events.emplace_back("products", product_event("created", p));
  auto pos = co_await announce(std::move(tags), std::move(events));
  co_return written(201, json::value_from(p), pos);
}

asio::awaitable<InventoryApp::Response> InventoryApp::update_product(
    std::int64_t id, const gateway::AppRequest& req) {
  auto input = parse_product_input(req.body);
  if (!input) co_return failure_response(input.error());
  auto updated = co_await store_.update_product(id, std::move(*input));
  if (!updated) co_return failure_response(updated.error());
  const Product& p = *updated;
  std::vector<std::string> tags{"products", product_tag(id), "dashboard"};
  Events events;
  events.emplace_back("inventory", product_event("updated", p));
  events.emplace_back("products", product_event("updated", p));
  auto pos = co_await announce(std::move(tags), std::move(events));
  co_return written(200, json::value_from(p), pos);
}

asio::awaitable<InventoryApp::Response> InventoryApp::adjust_stock(std::int64_t id,
                                                                   const gateway::AppRequest& req) {
  auto adj = parse_adjustment(req.body);
  if (!adj) co_return failure_response(adj.error());
  auto change = co_await store_.adjust_stock(id, adj->delta, adj->reason);
  if (!change) co_return failure_response(change.error());
  const StockChange& c = *change;
  std::vector<std::string> tags{"products", inventory_tag(id), "dashboard"};
  Events events;
  events.emplace_back("inventory", stock_event(c));
  auto pos = co_await announce(std::move(tags), std::move(events));
  json::object body;
  body["product_id"] = c.product_id;
  body["old"] = c.old_quantity;
  body["new"] = c.new_quantity;
  body["reason"] = c.reason;
  co_return written(200, body, pos);
}

asio::awaitable<InventoryApp::Response> InventoryApp::place_order(const gateway::AppRequest& req) {
  auto lines = parse_order(req.body);
  if (!lines) co_return failure_response(lines.error());
  auto placed = co_await store_.place_order(std::move(*lines));
  if (!placed) co_return failure_response(placed.error());
  std::vector<std::string> tags = {"products", "orders", "dashboard"};
  Events events;
  for (const auto& c : placed->changes) {
    tags.push_back(inventory_tag(c.product_id));
    events.emplace_back("inventory", stock_event(c));
  }
  events.emplace_back("orders", order_event(placed->order));
  auto pos = co_await announce(std::move(tags), std::move(events));
  co_return written(201, json::value_from(placed->order), pos);
}

}  // namespace herald::inventory
