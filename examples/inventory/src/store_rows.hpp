// Internal to InventoryStore (worker thread only): the failure guard every operation
// runs under, and the product row reader shared by its translation units.
#pragma once

#include <inventory/inventory_model.hpp>
#include <inventory/sqlite_statement.hpp>
#include <inventory/store_error.hpp>

#include <exception>
#include <optional>
#include <utility>

namespace herald::inventory::detail {

/// Runs fn() and turns an escaping exception (a SQLite failure) into
/// StoreErrc::database, so nothing is thrown across the worker's boundary.
template <class F>
auto guarded(F&& fn) noexcept -> decltype(fn()) {
  try {
    return std::forward<F>(fn)();
  } catch (const std::exception& e) {
    return StoreFailure{StoreErrc::database, e.what()};
  } catch (...) {
    return StoreFailure{StoreErrc::database, "unknown database failure"};
  }
}

/// The columns read_product() expects, in order; join alias p = products,
/// i = inventory.
inline constexpr const char* kProductColumns =
    "p.id, p.sku, p.name, p.category, p.price_cents, i.quantity, p.updated_at";

inline Product read_product_row(const Statement& s) {
  return Product{s.int64(0), s.text(1), s.text(2), s.text(3), s.int64(4), s.int64(5), s.text(6)};
}

/// One product with its stock, or nullopt.
inline std::optional<Product> find_product(sqlite3* db, std::int64_t id) {
  Statement s(db, std::string("SELECT ") + kProductColumns +
                      " FROM products p JOIN inventory i ON i.product_id = p.id WHERE p.id = ?1");
  s.bind(1, id);
  if (!s.step()) return std::nullopt;
  return read_product_row(s);
}

inline StoreFailure product_not_found(std::int64_t id) {
  return StoreFailure{StoreErrc::not_found, "product " + std::to_string(id) + " not found"};
}

/// Current time as the store writes it (ISO 8601 UTC with milliseconds).
inline constexpr const char* kNowSql = "strftime('%Y-%m-%dT%H:%M:%fZ','now')";

}  // namespace herald::inventory::detail
