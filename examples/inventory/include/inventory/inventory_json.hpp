// JSON of the inventory API: responses (Boost.JSON value_from for the model),
// the events published on the real-time channels, and request body parsing.
//
// Events (published as the `data` of channel messages):
//   inventory: {"type":"stock","product_id":7,"old":12,"new":9,"reason":"order #41"}
//              {"type":"product","action":"created|updated","product":{...}}
//   orders:    {"type":"order","id":41,"status":"placed","total_cents":..,"items":[..]}
//   products:  the same product events as on `inventory`
#pragma once

#include <inventory/inventory_model.hpp>
#include <inventory/store_error.hpp>

#include <boost/json/value.hpp>
#include <boost/json/value_from.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace herald::inventory {

void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const Product& p);
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const ProductPage& p);
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv,
                const InventoryRecord& r);
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const OrderLine& l);
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const Order& o);
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const OrderPage& p);
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv,
                const DashboardSummary& d);

/// Event bodies (serialised JSON text, ready for Engine::publish).
std::string stock_event(const StockChange& change);
std::string order_event(const Order& order);
std::string product_event(std::string_view action, const Product& product);

/// Request bodies. Failures are invalid_argument with a message naming the field.
/// Product: {"name","sku","category","price_cents","quantity"} (all optional here;
/// the store says which are required).
StoreResult<ProductInput> parse_product_input(std::string_view body);
/// Adjustment: {"delta": -3, "reason": "..."}.
struct Adjustment {
  std::int64_t delta = 0;
  std::string reason;
};
StoreResult<Adjustment> parse_adjustment(std::string_view body);
/// Order: {"items":[{"product_id":1,"qty":2}, ...]}.
StoreResult<std::vector<OrderLine>> parse_order(std::string_view body);

}  // namespace herald::inventory
