// InventoryStore::open(): the schema, and the deterministic seed data a first run
// starts with (a few hundred products with varied stock, and past orders spread over
// the last two weeks so the dashboard's aggregates have something to show).
#include <inventory/inventory_store.hpp>
#include <inventory/sqlite_transaction.hpp>

#include "store_rows.hpp"

#include <sqlite3.h>

#include <array>
#include <string>

namespace herald::inventory {
namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS products (
  id INTEGER PRIMARY KEY,
  sku TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  category TEXT NOT NULL,
  price_cents INTEGER NOT NULL CHECK (price_cents >= 0),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS inventory (
  product_id INTEGER PRIMARY KEY REFERENCES products(id),
  quantity INTEGER NOT NULL CHECK (quantity >= 0),
  updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS stock_movements (
  id INTEGER PRIMARY KEY,
  product_id INTEGER NOT NULL REFERENCES products(id),
  delta INTEGER NOT NULL,
  old_quantity INTEGER NOT NULL,
  new_quantity INTEGER NOT NULL,
  reason TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS stock_movements_product ON stock_movements(product_id, id);
CREATE TABLE IF NOT EXISTS orders (
  id INTEGER PRIMARY KEY,
  status TEXT NOT NULL,
  total_cents INTEGER NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS orders_created ON orders(created_at);
CREATE TABLE IF NOT EXISTS order_items (
  order_id INTEGER NOT NULL REFERENCES orders(id),
  product_id INTEGER NOT NULL REFERENCES products(id),
  qty INTEGER NOT NULL CHECK (qty > 0),
  unit_price_cents INTEGER NOT NULL,
  PRIMARY KEY (order_id, product_id)
);
CREATE INDEX IF NOT EXISTS order_items_product ON order_items(product_id);
)sql";

constexpr std::array<const char*, 12> kAdjectives = {"Brass",   "Oak",    "Linen",  "Copper",
                                                     "Granite", "Walnut", "Steel",  "Cedar",
                                                     "Wool",    "Marble", "Bamboo", "Slate"};
constexpr std::array<const char*, 25> kNouns = {
    "Lamp",    "Chair",  "Table",   "Shelf",   "Mug",     "Vase",    "Clock",  "Mirror", "Stool",
    "Basket",  "Bowl",   "Desk",    "Bench",   "Rug",     "Kettle",  "Tray",   "Frame",  "Hook",
    "Planter", "Candle", "Cabinet", "Blanket", "Pitcher", "Lantern", "Cushion"};
constexpr std::array<const char*, 5> kCategories = {"lighting", "furniture", "kitchen", "decor",
                                                    "textiles"};

/// A small deterministic generator (LCG): the same seed data on every first run.
struct Lcg {
  std::uint64_t state = 0x9E3779B97F4A7C15ull;
  std::int64_t next(std::int64_t bound) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<std::int64_t>((state >> 33) % static_cast<std::uint64_t>(bound));
  }
};

void seed(sqlite3* db, int product_count) {
  Lcg rng;
  Statement product(db,
                    "INSERT INTO products (id, sku, name, category, price_cents, created_at, "
                    "updated_at) VALUES (?1, ?2, ?3, ?4, ?5, strftime('%Y-%m-%dT%H:%M:%fZ','now'),"
                    " strftime('%Y-%m-%dT%H:%M:%fZ','now'))");
  Statement stock(db,
                  "INSERT INTO inventory (product_id, quantity, updated_at) VALUES (?1, ?2, "
                  "strftime('%Y-%m-%dT%H:%M:%fZ','now'))");
  std::vector<std::int64_t> prices(static_cast<std::size_t>(product_count) + 1);
  for (int id = 1; id <= product_count; ++id) {
    const auto n = static_cast<std::size_t>(id - 1);
    std::string name = std::string(kAdjectives[n % kAdjectives.size()]) + " " +
                       kNouns[(n / kAdjectives.size()) % kNouns.size()];
    if (n >= kAdjectives.size() * kNouns.size())
      name += " " + std::to_string(n / (kAdjectives.size() * kNouns.size()) + 1);
    char sku[32];
    std::snprintf(sku, sizeof sku, "SKU-%05d", id);
    const std::int64_t price = 299 + rng.next(200) * 100 + 99 * rng.next(2);
    prices[static_cast<std::size_t>(id)] = price;
    product.bind(1, std::int64_t{id}).bind(2, std::string_view(sku)).bind(3, name);
    product.bind(4, std::string_view(kCategories[(n / 3) % kCategories.size()])).bind(5, price);
    product.run();
    product.reset();
    // Mostly healthy stock, some low, a few out: the table shows every state.
    const std::int64_t roll = rng.next(20);
    const std::int64_t qty = roll == 0 ? 0 : roll < 3 ? 1 + rng.next(5) : 10 + rng.next(190);
    stock.bind(1, std::int64_t{id}).bind(2, qty);
    stock.run();
    stock.reset();
  }
  // Past orders over the last 14 days (history for the dashboard; stock above is
  // what is left after them).
  Statement order(db,
                  "INSERT INTO orders (status, total_cents, created_at) VALUES ('placed', 0, "
                  "strftime('%Y-%m-%dT%H:%M:%fZ','now', ?1))");
  Statement line(db,
                 "INSERT OR IGNORE INTO order_items (order_id, product_id, qty, "
                 "unit_price_cents) VALUES (?1, ?2, ?3, ?4)");
  Statement total(db,
                  "UPDATE orders SET total_cents = (SELECT COALESCE(SUM(qty * "
                  "unit_price_cents), 0) FROM order_items WHERE order_id = ?1) WHERE id = ?1");
  for (int i = 0; i < 60; ++i) {
    const std::string ago = "-" + std::to_string(rng.next(14 * 24 * 60) + 1) + " minutes";
    order.bind(1, ago).run();
    order.reset();
    const std::int64_t order_id = Statement::last_insert_id(db);
    const std::int64_t lines = 1 + rng.next(4);
    for (std::int64_t l = 0; l < lines; ++l) {
      const std::int64_t pid = 1 + rng.next(product_count);
      line.bind(1, order_id).bind(2, pid).bind(3, 1 + rng.next(4));
      line.bind(4, prices[static_cast<std::size_t>(pid)]).run();
      line.reset();
    }
    total.bind(1, order_id).run();
    total.reset();
  }
}

}  // namespace

boost::asio::awaitable<StoreResult<bool>> InventoryStore::open(int seed_products) {
  return worker_.run([seed_products](sqlite3* db) {
    return detail::guarded([&]() -> StoreResult<bool> {
      Transaction tx(db);
      Statement::exec(db, kSchema);
      bool empty = false;
      {
        Statement count(db, "SELECT COUNT(*) FROM products");
        count.step();
        empty = count.int64(0) == 0;
      }
      if (empty && seed_products > 0) seed(db, seed_products);
      tx.commit();
      return empty && seed_products > 0;
    });
  });
}

}  // namespace herald::inventory
