// InventoryStore on a temp SQLite file: seeding, paging and search, product create
// and update rules, stock adjustments, orders that take stock all-or-nothing (409
// when short), order listing and the dashboard aggregates.
#include <inventory/db_worker.hpp>
#include <inventory/inventory_store.hpp>

#include "support/run_coro.hpp"
#include "temp_db.hpp"

#include <gtest/gtest.h>

namespace herald::inventory {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using herald::test::run_coro;

class InventoryStoreTest : public ::testing::Test {
 protected:
  /// Runs body(store) on a fresh io_context after opening (and seeding) the store.
  template <class Body>
  void with_store(Body body, int seed = 300) {
    run_coro([&](asio::any_io_executor) -> awaitable<void> {
      auto opened = co_await store.open(seed);
      CO_ASSERT_TRUE(opened.has_value()) << opened.error().message;
      co_await body(store);
    });
  }

  test::TempDb temp;
  DbWorker worker{temp.path()};
  InventoryStore store{worker};
};

TEST_F(InventoryStoreTest, SeedsOnceWithProductsAndOrders) {
  with_store([](InventoryStore& s) -> awaitable<void> {
    auto again = co_await s.open(300);
    CO_ASSERT_TRUE(again.has_value());
    EXPECT_FALSE(*again) << "a second open must not seed again";
    ProductQuery q1{1, 100, ""};
    auto page = co_await s.list_products(q1);
    CO_ASSERT_TRUE(page.has_value());
    EXPECT_EQ(page->total, 300);
    EXPECT_EQ(page->items.size(), 100u);
    EXPECT_EQ(page->items.front().id, 1);
    auto d = co_await s.dashboard();
    CO_ASSERT_TRUE(d.has_value());
    EXPECT_EQ(d->products, 300);
    EXPECT_GT(d->orders, 0);
    EXPECT_GT(d->revenue_cents, 0);
    EXPECT_FALSE(d->top_products.empty());
  });
}

TEST_F(InventoryStoreTest, PagesAndSearches) {
  with_store([](InventoryStore& s) -> awaitable<void> {
    ProductQuery q2{3, 25, ""};
    auto p3 = co_await s.list_products(q2);
    CO_ASSERT_TRUE(p3.has_value());
    CO_ASSERT_EQ(p3->items.size(), 25u);
    EXPECT_EQ(p3->items.front().id, 51);
    ProductQuery q3{13, 25, ""};
    auto last = co_await s.list_products(q3);
    CO_ASSERT_TRUE(last.has_value());
    EXPECT_TRUE(last->items.empty());
    ProductQuery q4{1, 100, "brass"};
    auto brass = co_await s.list_products(q4);
    CO_ASSERT_TRUE(brass.has_value());
    EXPECT_GT(brass->total, 0);
    for (const auto& p : brass->items) EXPECT_NE(p.name.find("Brass"), std::string::npos);
    ProductQuery q5{1, 10, "SKU-00042"};
    auto sku = co_await s.list_products(q5);
    CO_ASSERT_TRUE(sku.has_value());
    CO_ASSERT_EQ(sku->total, 1);
    EXPECT_EQ(sku->items[0].id, 42);
    ProductQuery q6{1, 10, "%"};
    auto wildcard = co_await s.list_products(q6);  // literal, not a wildcard
    CO_ASSERT_TRUE(wildcard.has_value());
    EXPECT_EQ(wildcard->total, 0);
    ProductQuery q7{1, 101, ""};
    auto bad = co_await s.list_products(q7);
    CO_ASSERT_FALSE(bad.has_value());
    EXPECT_EQ(bad.error().code, StoreErrc::invalid_argument);
  });
}

TEST_F(InventoryStoreTest, CreatesAndUpdatesProducts) {
  with_store([](InventoryStore& s) -> awaitable<void> {
    ProductInput in9{std::nullopt, "Test Lamp", std::nullopt, 1299, 7};
    auto created = co_await s.create_product(in9);
    CO_ASSERT_TRUE(created.has_value()) << created.error().message;
    EXPECT_EQ(created->quantity, 7);
    EXPECT_EQ(created->category, "general");
    EXPECT_EQ(created->sku.rfind("SKU-", 0), 0u);
    ProductInput in10{created->sku, "Other", std::nullopt, 100, 0};
    auto dup = co_await s.create_product(in10);
    CO_ASSERT_FALSE(dup.has_value());
    EXPECT_EQ(dup.error().code, StoreErrc::conflict);
    ProductInput in11{std::nullopt, "X", std::nullopt, std::nullopt, 0};
    auto missing_price = co_await s.create_product(in11);
    CO_ASSERT_FALSE(missing_price.has_value());
    EXPECT_EQ(missing_price.error().code, StoreErrc::invalid_argument);

    ProductInput in15{std::nullopt, "Renamed", std::nullopt, 1500, std::nullopt};
    auto updated = co_await s.update_product(created->id, in15);
    CO_ASSERT_TRUE(updated.has_value()) << updated.error().message;
    EXPECT_EQ(updated->name, "Renamed");
    EXPECT_EQ(updated->price_cents, 1500);
    EXPECT_EQ(updated->sku, created->sku);
    ProductInput in16{std::nullopt, "Y", std::nullopt, std::nullopt, std::nullopt};
    auto none = co_await s.update_product(999'999, in16);
    CO_ASSERT_FALSE(none.has_value());
    EXPECT_EQ(none.error().code, StoreErrc::not_found);
    ProductInput in17{};
    auto empty = co_await s.update_product(created->id, in17);
    CO_ASSERT_FALSE(empty.has_value());
    EXPECT_EQ(empty.error().code, StoreErrc::invalid_argument);
  });
}

TEST_F(InventoryStoreTest, AdjustsStockWithReasonAndRefusesNegative) {
  with_store([](InventoryStore& s) -> awaitable<void> {
    ProductInput in12{std::nullopt, "Counted", std::nullopt, 100, 10};
    auto p = co_await s.create_product(in12);
    CO_ASSERT_TRUE(p.has_value());
    auto up = co_await s.adjust_stock(p->id, 5, "delivery");
    CO_ASSERT_TRUE(up.has_value()) << up.error().message;
    EXPECT_EQ(up->old_quantity, 10);
    EXPECT_EQ(up->new_quantity, 15);
    auto down = co_await s.adjust_stock(p->id, -16, "breakage");
    CO_ASSERT_FALSE(down.has_value());
    EXPECT_EQ(down.error().code, StoreErrc::insufficient_stock);
    EXPECT_NE(down.error().message.find("15 available"), std::string::npos) << down.error().message;
    auto zero = co_await s.adjust_stock(p->id, 0, "nothing");
    CO_ASSERT_FALSE(zero.has_value());
    EXPECT_EQ(zero.error().code, StoreErrc::invalid_argument);
    auto inv = co_await s.get_inventory(p->id);
    CO_ASSERT_TRUE(inv.has_value());
    EXPECT_EQ(inv->quantity, 15);
    CO_ASSERT_EQ(inv->movements.size(), 1u);
    EXPECT_EQ(inv->movements[0].reason, "delivery");
    auto none = co_await s.adjust_stock(999'999, 1, "x");
    CO_ASSERT_FALSE(none.has_value());
    EXPECT_EQ(none.error().code, StoreErrc::not_found);
  });
}

TEST_F(InventoryStoreTest, OrderTakesStockAllOrNothing) {
  with_store([](InventoryStore& s) -> awaitable<void> {
    ProductInput in13{std::nullopt, "A", std::nullopt, 250, 5};
    auto a = co_await s.create_product(in13);
    ProductInput in14{std::nullopt, "B", std::nullopt, 1000, 1};
    auto b = co_await s.create_product(in14);
    CO_ASSERT_TRUE(a.has_value() && b.has_value());
    auto before = co_await s.dashboard();
    CO_ASSERT_TRUE(before.has_value());

    // Named arguments throughout: GCC 12 mishandles braced temporaries passed to
    // coroutines (rejected or destroyed twice).
    std::vector<OrderLine> first{{a->id, 2, 0, {}}, {b->id, 1, 0, {}}, {a->id, 1, 0, {}}};
    auto placed = co_await s.place_order(first);
    CO_ASSERT_TRUE(placed.has_value()) << placed.error().message;
    EXPECT_EQ(placed->order.total_cents, 3 * 250 + 1000);
    CO_ASSERT_EQ(placed->order.lines.size(), 2u) << "duplicate products are merged";
    CO_ASSERT_EQ(placed->changes.size(), 2u);
    EXPECT_EQ(placed->changes[0].old_quantity, 5);
    EXPECT_EQ(placed->changes[0].new_quantity, 2);
    EXPECT_EQ(placed->changes[0].reason, "order #" + std::to_string(placed->order.id));
    EXPECT_EQ(placed->changes[1].new_quantity, 0);

    // Short on B: nothing is taken from A either.
    std::vector<OrderLine> second{{a->id, 1, 0, {}}, {b->id, 1, 0, {}}};
    auto short_b = co_await s.place_order(second);
    CO_ASSERT_FALSE(short_b.has_value());
    EXPECT_EQ(short_b.error().code, StoreErrc::insufficient_stock);
    EXPECT_NE(short_b.error().message.find("0 available, 1 requested"), std::string::npos)
        << short_b.error().message;
    auto a_now = co_await s.get_product(a->id);
    CO_ASSERT_TRUE(a_now.has_value());
    EXPECT_EQ(a_now->quantity, 2);

    std::vector<OrderLine> third{{999'999, 1, 0, {}}};
    auto unknown = co_await s.place_order(third);
    CO_ASSERT_FALSE(unknown.has_value());
    EXPECT_EQ(unknown.error().code, StoreErrc::not_found);
    auto empty = co_await s.place_order(std::vector<OrderLine>{});
    CO_ASSERT_FALSE(empty.has_value());
    EXPECT_EQ(empty.error().code, StoreErrc::invalid_argument);

    auto after = co_await s.dashboard();
    CO_ASSERT_TRUE(after.has_value());
    EXPECT_EQ(after->orders, before->orders + 1);
    EXPECT_EQ(after->revenue_cents, before->revenue_cents + placed->order.total_cents);
    EXPECT_EQ(after->units_sold, before->units_sold + 4);
    EXPECT_EQ(after->out_of_stock, before->out_of_stock + 1);

    auto orders = co_await s.list_orders(1, 5);
    CO_ASSERT_TRUE(orders.has_value());
    CO_ASSERT_FALSE(orders->items.empty());
    EXPECT_EQ(orders->items[0].id, placed->order.id) << "newest first";
    EXPECT_EQ(orders->items[0].lines.size(), 2u);
  });
}

TEST_F(InventoryStoreTest, EmptyDatabaseWithoutSeed) {
  with_store(
      [](InventoryStore& s) -> awaitable<void> {
        ProductQuery q8{1, 25, ""};
        auto page = co_await s.list_products(q8);
        CO_ASSERT_TRUE(page.has_value());
        EXPECT_EQ(page->total, 0);
        auto d = co_await s.dashboard();
        CO_ASSERT_TRUE(d.has_value());
        EXPECT_EQ(d->orders, 0);
        EXPECT_EQ(d->average_order_cents, 0);
      },
      0);
}

}  // namespace
}  // namespace herald::inventory
