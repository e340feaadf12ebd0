// The inventory app's data: what the store reads and writes, and what the API
// serialises (inventory_json.hpp). Plain values; money is integer cents.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace herald::inventory {

struct Product {
  std::int64_t id = 0;
  std::string sku;
  std::string name;
  std::string category;
  std::int64_t price_cents = 0;
  std::int64_t quantity = 0;  ///< stock on hand (the inventory row)
  std::string updated_at;     ///< ISO 8601 UTC
};

/// A new product (POST), or the fields to change (PUT/PATCH: absent = unchanged).
struct ProductInput {
  std::optional<std::string> sku;
  std::optional<std::string> name;
  std::optional<std::string> category;
  std::optional<std::int64_t> price_cents;
  std::optional<std::int64_t> quantity;  ///< initial stock (create only)
};

struct ProductQuery {
  std::int64_t page = 1;       ///< 1-based
  std::int64_t per_page = 25;  ///< 1..100
  std::string q;               ///< substring of name or sku; empty = all
};

struct ProductPage {
  std::vector<Product> items;
  std::int64_t page = 1;
  std::int64_t per_page = 25;
  std::int64_t total = 0;  ///< products matching q
};

/// Stock of one product and its latest movements (newest first).
struct StockMovement {
  std::int64_t delta = 0;
  std::int64_t old_quantity = 0;
  std::int64_t new_quantity = 0;
  std::string reason;
  std::string at;
};

struct InventoryRecord {
  std::int64_t product_id = 0;
  std::int64_t quantity = 0;
  std::string updated_at;
  std::vector<StockMovement> movements;  ///< latest 10
};

/// One stock change made by a write: what the `inventory` channel announces.
struct StockChange {
  std::int64_t product_id = 0;
  std::int64_t old_quantity = 0;
  std::int64_t new_quantity = 0;
  std::string reason;
};

struct OrderLine {
  std::int64_t product_id = 0;
  std::int64_t qty = 0;
  std::int64_t unit_price_cents = 0;
  std::string name;
};

struct Order {
  std::int64_t id = 0;
  std::string status;  ///< "placed"
  std::int64_t total_cents = 0;
  std::string created_at;
  std::vector<OrderLine> lines;
};

struct PlacedOrder {
  Order order;
  std::vector<StockChange> changes;  ///< one per line, in line order
};

struct OrderPage {
  std::vector<Order> items;
  std::int64_t page = 1;
  std::int64_t per_page = 20;
  std::int64_t total = 0;
};

struct TopProduct {
  std::int64_t product_id = 0;
  std::string name;
  std::int64_t units = 0;
  std::int64_t revenue_cents = 0;
};

struct DailySales {
  std::string day;  ///< YYYY-MM-DD
  std::int64_t orders = 0;
  std::int64_t revenue_cents = 0;
};

/// The dashboard: aggregates over every order and the whole stock.
struct DashboardSummary {
  std::int64_t products = 0;
  std::int64_t units_in_stock = 0;
  std::int64_t stock_value_cents = 0;
  std::int64_t low_stock = 0;  ///< products with 1..low_stock_threshold left
  std::int64_t out_of_stock = 0;
  std::int64_t orders = 0;
  std::int64_t units_sold = 0;
  std::int64_t revenue_cents = 0;
  std::int64_t average_order_cents = 0;
  std::vector<TopProduct> top_products;  ///< by revenue, 5
  std::vector<DailySales> last_7_days;   ///< oldest first, days with orders
  std::string computed_at;
};

}  // namespace herald::inventory
