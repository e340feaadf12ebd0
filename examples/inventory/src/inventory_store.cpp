// InventoryStore: products and stock (reads, create, update, adjust). Each operation
// is one closure run on the DbWorker under detail::guarded(); writes are
// transactions that validate first and change nothing on failure.
//
// The operations are plain functions returning the worker's lazy awaitable (which
// owns the closure and its captured arguments), not coroutines: GCC 12 mis-copies a
// coroutine's by-value parameters moved into a lambda capture (ASan: bad free).
#include <inventory/inventory_store.hpp>
#include <inventory/sqlite_transaction.hpp>

#include "store_rows.hpp"

#include <sqlite3.h>

#include <string>

namespace herald::inventory {
namespace {

using detail::find_product;
using detail::guarded;
using detail::kProductColumns;
using detail::product_not_found;

/// Escapes LIKE wildcards so q matches literally (ESCAPE '\').
std::string like_pattern(const std::string& q) {
  std::string out = "%";
  for (char c : q) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += c;
  }
  return out + "%";
}

std::optional<StoreFailure> validate(const ProductInput& in, bool creating) {
  auto bad = [](std::string m) { return StoreFailure{StoreErrc::invalid_argument, std::move(m)}; };
  if (creating && !in.name) return bad("name is required");
  if (creating && !in.price_cents) return bad("price_cents is required");
  if (in.name && (in.name->empty() || in.name->size() > 200))
    return bad("name must be 1 to 200 characters");
  if (in.sku && (in.sku->empty() || in.sku->size() > 64))
    return bad("sku must be 1 to 64 characters");
  if (in.category && (in.category->empty() || in.category->size() > 64))
    return bad("category must be 1 to 64 characters");
  if (in.price_cents && (*in.price_cents < 0 || *in.price_cents > 100'000'000))
    return bad("price_cents must be between 0 and 100000000");
  if (in.quantity && (*in.quantity < 0 || *in.quantity > 1'000'000))
    return bad("quantity must be between 0 and 1000000");
  if (!creating && in.quantity)
    return bad("quantity changes go through /api/inventory/<id>/adjust");
  if (!creating && !in.name && !in.sku && !in.category && !in.price_cents)
    return bad("nothing to update: give name, sku, category or price_cents");
  return std::nullopt;
}

/// True when another product (not `except`) already has this sku.
bool sku_taken(sqlite3* db, const std::string& sku, std::int64_t except) {
  Statement s(db, "SELECT 1 FROM products WHERE sku = ?1 AND id <> ?2");
  s.bind(1, sku).bind(2, except);
  return s.step();
}

}  // namespace

boost::asio::awaitable<StoreResult<ProductPage>> InventoryStore::list_products(ProductQuery query) {
  return worker_.run([query = std::move(query)](sqlite3* db) {
    return guarded([&]() -> StoreResult<ProductPage> {
      if (query.page < 1) return StoreFailure{StoreErrc::invalid_argument, "page must be >= 1"};
      if (query.per_page < 1 || query.per_page > 100)
        return StoreFailure{StoreErrc::invalid_argument, "per_page must be between 1 and 100"};
      ProductPage page;
      page.page = query.page;
      page.per_page = query.per_page;
      const std::string pattern = like_pattern(query.q);
      const char* where =
          " WHERE (?1 = '' OR p.name LIKE ?2 ESCAPE '\\' OR p.sku LIKE ?2 ESCAPE '\\')";
      {
        Statement count(db, std::string("SELECT COUNT(*) FROM products p") + where);
        count.bind(1, query.q).bind(2, pattern);
        count.step();
        page.total = count.int64(0);
      }
      Statement rows(db, std::string("SELECT ") + kProductColumns +
                             " FROM products p JOIN inventory i ON i.product_id = p.id" + where +
                             " ORDER BY p.id LIMIT ?3 OFFSET ?4");
      rows.bind(1, query.q).bind(2, pattern).bind(3, query.per_page);
      rows.bind(4, (query.page - 1) * query.per_page);
      while (rows.step()) page.items.push_back(detail::read_product_row(rows));
      return page;
    });
  });
}

boost::asio::awaitable<StoreResult<Product>> InventoryStore::get_product(std::int64_t id) {
  return worker_.run([id](sqlite3* db) {
    return guarded([&]() -> StoreResult<Product> {
      auto p = find_product(db, id);
      if (!p) return product_not_found(id);
      return *p;
    });
  });
}

boost::asio::awaitable<StoreResult<Product>> InventoryStore::create_product(ProductInput in) {
  return worker_.run([in = std::move(in)](sqlite3* db) {
    return guarded([&]() -> StoreResult<Product> {
      if (auto bad = validate(in, true)) return *bad;
      Transaction tx(db);
      if (in.sku && sku_taken(db, *in.sku, 0))
        return StoreFailure{StoreErrc::conflict, "sku '" + *in.sku + "' is taken"};
      Statement insert(db, std::string("INSERT INTO products (sku, name, category, price_cents, "
                                       "created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ") +
                               detail::kNowSql + ", " + detail::kNowSql + ")");
      // A unique placeholder until the id is known (sku defaults to SKU-<id>).
      insert.bind(1, in.sku.value_or("pending-" + std::to_string(sqlite3_total_changes(db))));
      insert.bind(2, *in.name).bind(3, in.category.value_or("general")).bind(4, *in.price_cents);
      insert.run();
      const std::int64_t id = Statement::last_insert_id(db);
      if (!in.sku) {
        char sku[32];
        std::snprintf(sku, sizeof sku, "SKU-%05lld", static_cast<long long>(id));
        Statement fix(db, "UPDATE products SET sku = ?1 WHERE id = ?2");
        fix.bind(1, std::string_view(sku)).bind(2, id).run();
      }
      Statement stock(db, std::string("INSERT INTO inventory (product_id, quantity, updated_at) "
                                      "VALUES (?1, ?2, ") +
                              detail::kNowSql + ")");
      stock.bind(1, id).bind(2, in.quantity.value_or(0)).run();
      auto product = find_product(db, id);
      tx.commit();
      return *product;
    });
  });
}

boost::asio::awaitable<StoreResult<Product>> InventoryStore::update_product(std::int64_t id,
                                                                            ProductInput in) {
  return worker_.run([id, in = std::move(in)](sqlite3* db) {
    return guarded([&]() -> StoreResult<Product> {
      if (auto bad = validate(in, false)) return *bad;
      Transaction tx(db);
      if (!find_product(db, id)) return product_not_found(id);
      if (in.sku && sku_taken(db, *in.sku, id))
        return StoreFailure{StoreErrc::conflict, "sku '" + *in.sku + "' is taken"};
      // COALESCE keeps a column whose parameter is NULL (not given).
      Statement update(db, std::string("UPDATE products SET sku = COALESCE(?1, sku), name = "
                                       "COALESCE(?2, name), category = COALESCE(?3, category), "
                                       "price_cents = COALESCE(?4, price_cents), updated_at = ") +
                               detail::kNowSql + " WHERE id = ?5");
      if (in.sku) update.bind(1, *in.sku);
      if (in.name) update.bind(2, *in.name);
      if (in.category) update.bind(3, *in.category);
      if (in.price_cents) update.bind(4, *in.price_cents);
      update.bind(5, id).run();
      auto product = find_product(db, id);
      tx.commit();
      return *product;
    });
  });
}

boost::asio::awaitable<StoreResult<InventoryRecord>> InventoryStore::get_inventory(
    std::int64_t product_id) {
  return worker_.run([product_id](sqlite3* db) {
    return guarded([&]() -> StoreResult<InventoryRecord> {
      Statement s(db, "SELECT quantity, updated_at FROM inventory WHERE product_id = ?1");
      s.bind(1, product_id);
      if (!s.step()) return product_not_found(product_id);
      InventoryRecord r{product_id, s.int64(0), s.text(1), {}};
      Statement m(db,
                  "SELECT delta, old_quantity, new_quantity, reason, created_at FROM "
                  "stock_movements WHERE product_id = ?1 ORDER BY id DESC LIMIT 10");
      m.bind(1, product_id);
      while (m.step())
        r.movements.push_back(
            StockMovement{m.int64(0), m.int64(1), m.int64(2), m.text(3), m.text(4)});
      return r;
    });
  });
}

boost::asio::awaitable<StoreResult<StockChange>> InventoryStore::adjust_stock(
    std::int64_t product_id, std::int64_t delta, std::string reason) {
  return worker_.run([product_id, delta, reason = std::move(reason)](sqlite3* db) {
    return guarded([&]() -> StoreResult<StockChange> {
      auto bad = [](std::string m) {
        return StoreFailure{StoreErrc::invalid_argument, std::move(m)};
      };
      if (delta == 0 || delta < -1'000'000 || delta > 1'000'000)
        return bad("delta must be a non-zero integer between -1000000 and 1000000");
      if (reason.empty() || reason.size() > 200) return bad("reason must be 1 to 200 characters");
      Transaction tx(db);
      std::int64_t old_qty = 0;
      {
        Statement s(db, "SELECT quantity FROM inventory WHERE product_id = ?1");
        s.bind(1, product_id);
        if (!s.step()) return product_not_found(product_id);
        old_qty = s.int64(0);
      }
      const std::int64_t new_qty = old_qty + delta;
      if (new_qty < 0)
        return StoreFailure{StoreErrc::insufficient_stock,
                            "insufficient stock for product " + std::to_string(product_id) + ": " +
                                std::to_string(old_qty) + " available, " + std::to_string(-delta) +
                                " requested"};
      Statement u(db, std::string("UPDATE inventory SET quantity = ?1, updated_at = ") +
                          detail::kNowSql + " WHERE product_id = ?2");
      u.bind(1, new_qty).bind(2, product_id).run();
      Statement m(db,
                  std::string("INSERT INTO stock_movements (product_id, delta, old_quantity, "
                              "new_quantity, reason, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ") +
                      detail::kNowSql + ")");
      m.bind(1, product_id).bind(2, delta).bind(3, old_qty).bind(4, new_qty).bind(5, reason).run();
      tx.commit();
      return StockChange{product_id, old_qty, new_qty, reason};
    });
  });
}

}  // namespace herald::inventory
