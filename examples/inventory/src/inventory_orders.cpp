// InventoryStore: orders (placing one takes its stock in the same transaction) and
// the dashboard aggregates over every order.
#include <inventory/inventory_store.hpp>
#include <inventory/sqlite_transaction.hpp>

#include "store_rows.hpp"

#include <sqlite3.h>

#include <map>
#include <string>

namespace herald::inventory {
namespace {

using detail::guarded;

/// Reads the lines of one order (joined with product names).
std::vector<OrderLine> order_lines(sqlite3* db, std::int64_t order_id) {
  Statement s(db,
              "SELECT oi.product_id, oi.qty, oi.unit_price_cents, p.name FROM order_items oi "
              "JOIN products p ON p.id = oi.product_id WHERE oi.order_id = ?1 "
              "ORDER BY oi.rowid");
  s.bind(1, order_id);
  std::vector<OrderLine> lines;
  while (s.step()) lines.push_back(OrderLine{s.int64(0), s.int64(1), s.int64(2), s.text(3)});
  return lines;
}

/// Merges duplicate products (quantities add up), keeping first-seen order.
std::vector<OrderLine> merged(const std::vector<OrderLine>& lines) {
  std::vector<OrderLine> out;
  std::map<std::int64_t, std::size_t> index;
  for (const auto& l : lines) {
    auto [it, fresh] = index.emplace(l.product_id, out.size());
    if (fresh)
      out.push_back(OrderLine{l.product_id, l.qty, 0, {}});
    else
      out[it->second].qty += l.qty;
  }
  return out;
}

StoreResult<PlacedOrder> place(sqlite3* db, const std::vector<OrderLine>& requested) {
  auto bad = [](std::string m) { return StoreFailure{StoreErrc::invalid_argument, std::move(m)}; };
  if (requested.empty() || requested.size() > 50) return bad("an order has 1 to 50 items");
  for (const auto& l : requested)
    if (l.qty < 1 || l.qty > 10'000) return bad("qty must be between 1 and 10000");
  std::vector<OrderLine> lines = merged(requested);

  Transaction tx(db);
  PlacedOrder placed;
  std::int64_t total = 0;
  for (auto& line : lines) {
    Statement s(db,
                "SELECT p.price_cents, p.name, i.quantity FROM products p JOIN inventory i ON "
                "i.product_id = p.id WHERE p.id = ?1");
    s.bind(1, line.product_id);
    if (!s.step()) return detail::product_not_found(line.product_id);
    line.unit_price_cents = s.int64(0);
    line.name = s.text(1);
    const std::int64_t available = s.int64(2);
    if (available < line.qty)
      return StoreFailure{StoreErrc::insufficient_stock,
                          "insufficient stock for product " + std::to_string(line.product_id) +
                              " (" + line.name + "): " + std::to_string(available) +
                              " available, " + std::to_string(line.qty) + " requested"};
    placed.changes.push_back(StockChange{line.product_id, available, available - line.qty, {}});
    total += line.qty * line.unit_price_cents;
  }
  Statement order(db, std::string("INSERT INTO orders (status, total_cents, created_at) VALUES "
                                  "('placed', ?1, ") +
                          detail::kNowSql + ")");
  order.bind(1, total).run();
  const std::int64_t order_id = Statement::last_insert_id(db);
  const std::string reason = "order #" + std::to_string(order_id);
  Statement item(db,
                 "INSERT INTO order_items (order_id, product_id, qty, unit_price_cents) VALUES "
                 "(?1, ?2, ?3, ?4)");
  Statement take(db, std::string("UPDATE inventory SET quantity = ?1, updated_at = ") +
                         detail::kNowSql + " WHERE product_id = ?2");
  Statement move(db, std::string("INSERT INTO stock_movements (product_id, delta, old_quantity, "
                                 "new_quantity, reason, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ") +
                         detail::kNowSql + ")");
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const auto& l = lines[i];
    auto& c = placed.changes[i];
    c.reason = reason;
    item.bind(1, order_id).bind(2, l.product_id).bind(3, l.qty).bind(4, l.unit_price_cents).run();
    item.reset();
    take.bind(1, c.new_quantity).bind(2, l.product_id).run();
    take.reset();
    move.bind(1, l.product_id).bind(2, -l.qty).bind(3, c.old_quantity).bind(4, c.new_quantity);
    move.bind(5, reason).run();
    move.reset();
  }
  Statement created(db, "SELECT created_at FROM orders WHERE id = ?1");
  created.bind(1, order_id).step();
  placed.order = Order{order_id, "placed", total, created.text(0), std::move(lines)};
  created.reset();
  tx.commit();
  return placed;
}

}  // namespace

boost::asio::awaitable<StoreResult<PlacedOrder>> InventoryStore::place_order(
    std::vector<OrderLine> lines) {
  return worker_.run([lines = std::move(lines)](sqlite3* db) {
    return guarded([&] { return place(db, lines); });
  });
}

boost::asio::awaitable<StoreResult<OrderPage>> InventoryStore::list_orders(std::int64_t page,
                                                                           std::int64_t per_page) {
  return worker_.run([page, per_page](sqlite3* db) {
    return guarded([&]() -> StoreResult<OrderPage> {
      if (page < 1) return StoreFailure{StoreErrc::invalid_argument, "page must be >= 1"};
      if (per_page < 1 || per_page > 100)
        return StoreFailure{StoreErrc::invalid_argument, "per_page must be between 1 and 100"};
      OrderPage out{{}, page, per_page, 0};
      {
        Statement count(db, "SELECT COUNT(*) FROM orders");
        count.step();
        out.total = count.int64(0);
      }
      Statement s(db,
                  "SELECT id, status, total_cents, created_at FROM orders ORDER BY id DESC "
                  "LIMIT ?1 OFFSET ?2");
      s.bind(1, per_page).bind(2, (page - 1) * per_page);
      while (s.step()) out.items.push_back(Order{s.int64(0), s.text(1), s.int64(2), s.text(3), {}});
      for (auto& o : out.items) o.lines = order_lines(db, o.id);
      return out;
    });
  });
}

boost::asio::awaitable<StoreResult<DashboardSummary>> InventoryStore::dashboard() {
  return worker_.run([](sqlite3* db) {
    return guarded([&]() -> StoreResult<DashboardSummary> {
      DashboardSummary d;
      {
        Statement s(db,
                    "SELECT COUNT(*), COALESCE(SUM(i.quantity), 0), "
                    "COALESCE(SUM(i.quantity * p.price_cents), 0), "
                    "SUM(i.quantity BETWEEN 1 AND ?1), SUM(i.quantity = 0) "
                    "FROM products p JOIN inventory i ON i.product_id = p.id");
        s.bind(1, InventoryStore::low_stock_threshold);
        s.step();
        d.products = s.int64(0);
        d.units_in_stock = s.int64(1);
        d.stock_value_cents = s.int64(2);
        d.low_stock = s.int64(3);
        d.out_of_stock = s.int64(4);
      }
      {
        Statement s(db,
                    "SELECT COUNT(*), COALESCE(SUM(o.total_cents), 0), "
                    "(SELECT COALESCE(SUM(qty), 0) FROM order_items) FROM orders o");
        s.step();
        d.orders = s.int64(0);
        d.revenue_cents = s.int64(1);
        d.units_sold = s.int64(2);
        d.average_order_cents = d.orders == 0 ? 0 : d.revenue_cents / d.orders;
      }
      {
        Statement s(db,
                    "SELECT oi.product_id, p.name, SUM(oi.qty), SUM(oi.qty * oi.unit_price_cents) "
                    "AS revenue FROM order_items oi JOIN products p ON p.id = oi.product_id "
                    "GROUP BY oi.product_id ORDER BY revenue DESC, oi.product_id LIMIT 5");
        while (s.step())
          d.top_products.push_back(TopProduct{s.int64(0), s.text(1), s.int64(2), s.int64(3)});
      }
      {
        Statement s(db,
                    "SELECT substr(created_at, 1, 10) AS day, COUNT(*), SUM(total_cents) FROM "
                    "orders WHERE created_at >= strftime('%Y-%m-%d', 'now', '-6 days') "
                    "GROUP BY day ORDER BY day");
        while (s.step()) d.last_7_days.push_back(DailySales{s.text(0), s.int64(1), s.int64(2)});
      }
      Statement now(db, std::string("SELECT ") + detail::kNowSql);
      now.step();
      d.computed_at = now.text(0);
      return d;
    });
  });
}

}  // namespace herald::inventory
