// JSON of the inventory API (see the header for the shapes).
#include <inventory/inventory_json.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace herald::inventory {
namespace json = boost::json;

void tag_invoke(const json::value_from_tag&, json::value& jv, const Product& p) {
  jv = {{"id", p.id},
        {"sku", p.sku},
        {"name", p.name},
        {"category", p.category},
        {"price_cents", p.price_cents},
        {"quantity", p.quantity},
        {"updated_at", p.updated_at}};
}

void tag_invoke(const json::value_from_tag&, json::value& jv, const ProductPage& p) {
  jv = {{"items", json::value_from(p.items)},
        {"page", p.page},
        {"per_page", p.per_page},
        {"total", p.total}};
}

void tag_invoke(const json::value_from_tag&, json::value& jv, const InventoryRecord& r) {
  json::array moves;
  for (const auto& m : r.movements)
    moves.push_back({{"delta", m.delta},
                     {"old", m.old_quantity},
                     {"new", m.new_quantity},
                     {"reason", m.reason},
                     {"at", m.at}});
  jv = {{"product_id", r.product_id},
        {"quantity", r.quantity},
        {"updated_at", r.updated_at},
        {"movements", std::move(moves)}};
}

void tag_invoke(const json::value_from_tag&, json::value& jv, const OrderLine& l) {
  jv = {{"product_id", l.product_id},
        {"name", l.name},
        {"qty", l.qty},
        {"unit_price_cents", l.unit_price_cents}};
}

void tag_invoke(const json::value_from_tag&, json::value& jv, const Order& o) {
  jv = {{"id", o.id},
        {"status", o.status},
        {"total_cents", o.total_cents},
        {"created_at", o.created_at},
        {"items", json::value_from(o.lines)}};
}

void tag_invoke(const json::value_from_tag&, json::value& jv, const OrderPage& p) {
  jv = {{"items", json::value_from(p.items)},
        {"page", p.page},
        {"per_page", p.per_page},
        {"total", p.total}};
}

void tag_invoke(const json::value_from_tag&, json::value& jv, const DashboardSummary& d) {
  json::array top;
  for (const auto& t : d.top_products)
    top.push_back({{"product_id", t.product_id},
                   {"name", t.name},
                   {"units", t.units},
                   {"revenue_cents", t.revenue_cents}});
  json::array days;
  for (const auto& s : d.last_7_days)
    days.push_back({{"day", s.day}, {"orders", s.orders}, {"revenue_cents", s.revenue_cents}});
  jv = {{"products", d.products},
        {"units_in_stock", d.units_in_stock},
        {"stock_value_cents", d.stock_value_cents},
        {"low_stock", d.low_stock},
        {"out_of_stock", d.out_of_stock},
        {"orders", d.orders},
        {"units_sold", d.units_sold},
        {"revenue_cents", d.revenue_cents},
        {"average_order_cents", d.average_order_cents},
        {"top_products", std::move(top)},
        {"last_7_days", std::move(days)},
        {"computed_at", d.computed_at}};
}

std::string stock_event(const StockChange& c) {
  return json::serialize(json::object{{"type", "stock"},
                                      {"product_id", c.product_id},
                                      {"old", c.old_quantity},
                                      {"new", c.new_quantity},
                                      {"reason", c.reason}});
}

std::string order_event(const Order& o) {
  json::value v = json::value_from(o);
  v.as_object()["type"] = "order";
  return json::serialize(v);
}

std::string product_event(std::string_view action, const Product& p) {
  return json::serialize(
      json::object{{"type", "product"}, {"action", action}, {"product", json::value_from(p)}});
}

namespace {

StoreFailure bad(std::string message) {
  return StoreFailure{StoreErrc::invalid_argument, std::move(message)};
}

/// Parses a body that must be a JSON object.
StoreResult<json::object> parse_object(std::string_view body) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec) return bad("malformed JSON body: " + ec.message());
  if (!v.is_object()) return bad("the body must be a JSON object");
  return std::move(v.as_object());
}

/// An integer field (a JSON number with no fractional part).
StoreResult<std::optional<std::int64_t>> int_field(const json::object& o, std::string_view name) {
  const json::value* v = o.if_contains(name);
  if (v == nullptr || v->is_null()) return std::optional<std::int64_t>{};
  if (v->is_int64()) return std::optional<std::int64_t>{v->as_int64()};
  if (v->is_uint64() && v->as_uint64() <= INT64_MAX)
    return std::optional<std::int64_t>{static_cast<std::int64_t>(v->as_uint64())};
  return bad(std::string(name) + " must be an integer");
}

StoreResult<std::optional<std::string>> string_field(const json::object& o, std::string_view name) {
  const json::value* v = o.if_contains(name);
  if (v == nullptr || v->is_null()) return std::optional<std::string>{};
  if (!v->is_string()) return bad(std::string(name) + " must be a string");
  return std::optional<std::string>{std::string(v->as_string())};
}

}  // namespace

StoreResult<ProductInput> parse_product_input(std::string_view body) {
  auto o = parse_object(body);
  if (!o) return o.error();
  ProductInput in;
  for (auto [name, field] : {std::pair{"name", &in.name}, std::pair{"sku", &in.sku},
                             std::pair{"category", &in.category}}) {
    auto v = string_field(*o, name);
    if (!v) return v.error();
    *field = std::move(*v);
  }
  for (auto [name, field] :
       {std::pair{"price_cents", &in.price_cents}, std::pair{"quantity", &in.quantity}}) {
    auto v = int_field(*o, name);
    if (!v) return v.error();
    *field = *v;
  }
  return in;
}

StoreResult<Adjustment> parse_adjustment(std::string_view body) {
  auto o = parse_object(body);
  if (!o) return o.error();
  auto delta = int_field(*o, "delta");
  if (!delta) return delta.error();
  if (!*delta) return bad("delta is required");
  auto reason = string_field(*o, "reason");
  if (!reason) return reason.error();
  return Adjustment{**delta, reason->value_or("manual adjustment")};
}

StoreResult<std::vector<OrderLine>> parse_order(std::string_view body) {
  auto o = parse_object(body);
  if (!o) return o.error();
  const json::value* items = o->if_contains("items");
  if (items == nullptr || !items->is_array()) return bad("items must be an array");
  std::vector<OrderLine> lines;
  for (const auto& item : items->as_array()) {
    if (!item.is_object()) return bad("each item must be an object");
    auto pid = int_field(item.as_object(), "product_id");
    if (!pid) return pid.error();
    auto qty = int_field(item.as_object(), "qty");
    if (!qty) return qty.error();
    if (!*pid || !*qty) return bad("each item needs product_id and qty");
    lines.push_back(OrderLine{**pid, **qty, 0, {}});
  }
  return lines;
}

}  // namespace herald::inventory
