// InventoryStore: the inventory app's data on SQLite: products, stock per product
// (with a movement log), orders that take stock, and the dashboard aggregates.
//
// Every operation runs on the DbWorker's thread (SQLite blocks) and resumes the
// caller on its own executor. Writes are transactions (BEGIN IMMEDIATE), so an order
// either takes all its stock or none, and two orders for the last item cannot both
// succeed. Failures come back as StoreFailure (never as exceptions): not_found,
// invalid_argument, insufficient_stock (409 with the quantities in the message),
// conflict (a taken sku), database.
#pragma once

#include <inventory/db_worker.hpp>
#include <inventory/inventory_model.hpp>
#include <inventory/store_error.hpp>

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace herald::inventory {

class InventoryStore {
 public:
  /// Products with 1..low_stock_threshold items left count as "low stock".
  static constexpr std::int64_t low_stock_threshold = 5;

  /// `worker` must outlive the store.
  explicit InventoryStore(DbWorker& worker) : worker_(worker) {}

  /// Creates the schema if missing and, when there are no products yet, seeds
  /// `seed_products` products and a few dozen orders (so the dashboard has data).
  /// Returns true when it seeded. Idempotent. Cost: one transaction (~10 ms seeding).
  boost::asio::awaitable<StoreResult<bool>> open(int seed_products = 300);

  /// A page of products with their stock, by id; q filters name or sku (substring,
  /// case-insensitive for ASCII). Cost: a count and a LIMIT/OFFSET scan.
  boost::asio::awaitable<StoreResult<ProductPage>> list_products(ProductQuery query);
  boost::asio::awaitable<StoreResult<Product>> get_product(std::int64_t id);
  /// name and price_cents are required; sku defaults to "SKU-<id>", category to
  /// "general", quantity to 0.
  boost::asio::awaitable<StoreResult<Product>> create_product(ProductInput input);
  /// Changes the given fields (quantity is not changed here: adjust_stock does that).
  boost::asio::awaitable<StoreResult<Product>> update_product(std::int64_t id, ProductInput input);

  /// Stock of one product and its latest 10 movements.
  boost::asio::awaitable<StoreResult<InventoryRecord>> get_inventory(std::int64_t product_id);
  /// Adds `delta` (may be negative, not 0) with a reason; insufficient_stock when the
  /// result would be below 0.
  boost::asio::awaitable<StoreResult<StockChange>> adjust_stock(std::int64_t product_id,
                                                                std::int64_t delta,
                                                                std::string reason);

  /// Places an order (lines: product_id and qty; the same product twice is merged)
  /// and takes its stock, all or nothing. 1..50 lines, qty 1..10000.
  boost::asio::awaitable<StoreResult<PlacedOrder>> place_order(std::vector<OrderLine> lines);
  /// Orders, newest first, with their lines.
  boost::asio::awaitable<StoreResult<OrderPage>> list_orders(std::int64_t page,
                                                             std::int64_t per_page);

  /// Aggregates over every order and every product (see DashboardSummary). The
  /// expensive read: several full scans and a GROUP BY over order lines.
  boost::asio::awaitable<StoreResult<DashboardSummary>> dashboard();

 private:
  DbWorker& worker_;
};

}  // namespace herald::inventory
