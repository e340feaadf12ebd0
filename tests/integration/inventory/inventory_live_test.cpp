// InventoryApp under concurrency and at its edges: a page that applies the events
// after its position always converges (even with writes racing the reads), errors
// are JSON, orders take stock (409 when short), static routes, and the gateway hook
// hops to the app's executor and back.
#include "inventory_app_fixture.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include <thread>

namespace herald::inventory::test {
namespace {

TEST_F(InventoryAppTest, PagesConvergeWhenWritesRaceReads) {
  with_app([&](InventoryApp& app) -> awaitable<void> {
    for (int id = 1; id <= 5; ++id) {
      auto r = co_await call(app, req("POST", "/api/inventory/" + std::to_string(id) + "/adjust",
                                      R"({"delta":1000,"reason":"restock"})"));
      CO_ASSERT_EQ(r.status, 200);
    }
    auto ex = co_await asio::this_coro::executor;
    std::vector<AppResponse> reads;
    int running = 0;
    herald::test::Signal done(ex);
    for (int i = 0; i < 60; ++i) {
      ++running;
      const bool write = i % 2 == 0;
      const std::string id = std::to_string(1 + i % 5);
      asio::co_spawn(
          ex,
          [&, write, id]() -> awaitable<void> {
            if (write) {
              (void)co_await call(app, req("POST", "/api/inventory/" + id + "/adjust",
                                           R"({"delta":-1,"reason":"race"})"));
            } else {
              reads.push_back(co_await call(app, get_with("/api/products", "per_page", "5")));
            }
            --running;
            done.notify();
          },
          asio::detached);
    }
    CO_ASSERT_TRUE(co_await done.wait([&] { return running == 0; }, std::chrono::seconds(30)));
    auto final_page = co_await call(app, get_with("/api/products", "per_page", "5"));
    std::map<std::int64_t, std::int64_t> truth;
    const json::value final_json = body(final_page);
    for (const auto& p : final_json.at("items").as_array())
      truth[p.at("id").as_int64()] = p.at("quantity").as_int64();

    CO_ASSERT_EQ(reads.size(), 30u);
    int behind = 0;  // reads whose data later events had to bring up to date
    for (const auto& r : reads) {
      // What the page does: its data, then every event after its position.
      std::map<std::int64_t, std::int64_t> seen;
      const json::value read_json = body(r);
      for (const auto& p : read_json.at("items").as_array())
        seen[p.at("id").as_int64()] = p.at("quantity").as_int64();
      auto h =
          co_await engine.history("inventory", parse_position(header(r, "Herald-Position")), 1000);
      CO_ASSERT_TRUE(h.has_value());
      if (!h->messages.empty()) ++behind;
      for (const auto& m : h->messages) {
        auto ev = json::parse(m->data()).as_object();
        if (ev["type"] == "stock" && seen.count(ev["product_id"].as_int64()))
          seen[ev["product_id"].as_int64()] = ev["new"].as_int64();
      }
      EXPECT_EQ(seen, truth) << "a change was lost between a read's position and its data";
    }
    EXPECT_GT(behind, 0) << "the writes did not race the reads: the test proves nothing";
  });
}

TEST_F(InventoryAppTest, ErrorsAreJson) {
  with_app([&](InventoryApp& app) -> awaitable<void> {
    struct Case {
      const char* method;
      const char* path;
      const char* body;
      int status;
    };
    const Case cases[] = {
        {"GET", "/api/products/999999", "", 404},
        {"GET", "/api/inventory/999999", "", 404},
        {"POST", "/api/inventory/999999/adjust", R"({"delta":1,"reason":"x"})", 404},
        {"POST", "/api/orders", R"({"items":[{"product_id":999999,"qty":1}]})", 404},
        {"PUT", "/api/products/999999", R"({"name":"x"})", 404},
        {"GET", "/api/products/abc", "", 400},
        {"POST", "/api/orders", "{not json", 400},
        {"POST", "/api/orders", R"({"items":[]})", 400},
        {"POST", "/api/products", R"({"name":"no price"})", 400},
        {"POST", "/api/inventory/1/adjust", R"({"delta":0,"reason":"x"})", 400},
        {"DELETE", "/api/products/1", "", 405},
        {"GET", "/api/inventory/1/nope", "", 404},
    };
    for (const auto& c : cases) {
      auto r = co_await call(app, req(c.method, c.path, c.body));
      EXPECT_EQ(r.status, c.status) << c.method << " " << c.path << ": " << r.body;
      EXPECT_EQ(r.content_type, "application/json");
      auto v = body(r);
      EXPECT_EQ(v.at("error").at("code").as_int64(), c.status) << r.body;
      EXPECT_FALSE(v.at("error").at("message").as_string().empty());
    }
    auto bad_page = co_await call(app, get_with("/api/products", "page", "0"));
    EXPECT_EQ(bad_page.status, 400);
    auto big_page = co_await call(app, get_with("/api/products", "per_page", "1000"));
    EXPECT_EQ(big_page.status, 400);
    auto other = co_await app.handle(req("GET", "/api/not-the-apps"));
    EXPECT_FALSE(other.has_value()) << "unknown routes are left to the gateway (404)";
  });
}

TEST_F(InventoryAppTest, OrdersTakeStockAnd409WhenShort) {
  with_app([&](InventoryApp& app) -> awaitable<void> {
    auto created = co_await call(
        app, req("POST", "/api/products", R"({"name":"Scarce","price_cents":500,"quantity":3})"));
    CO_ASSERT_EQ(created.status, 201) << created.body;
    const auto id = std::to_string(body(created).at("id").as_int64());
    const auto before = (co_await engine.history("inventory", std::nullopt, 0))->position;

    auto ok = co_await call(
        app, req("POST", "/api/orders", R"({"items":[{"product_id":)" + id + R"(,"qty":2}]})"));
    CO_ASSERT_EQ(ok.status, 201) << ok.body;
    EXPECT_EQ(body(ok).at("total_cents").as_int64(), 1000);
    auto stock = co_await call(app, req("GET", "/api/inventory/" + id));
    EXPECT_EQ(body(stock).at("quantity").as_int64(), 1);

    auto dash1 = co_await call(app, req("GET", "/api/dashboard"));
    auto dash2 = co_await call(app, req("GET", "/api/dashboard"));
    EXPECT_EQ(header(dash2, "X-Cache"), "HIT");
    auto short_order = co_await call(
        app, req("POST", "/api/orders", R"({"items":[{"product_id":)" + id + R"(,"qty":2}]})"));
    EXPECT_EQ(short_order.status, 409);
    EXPECT_NE(body(short_order).at("error").at("message").as_string().find("1 available"),
              json::string::npos)
        << short_order.body;
    auto still = co_await call(app, req("GET", "/api/inventory/" + id));
    EXPECT_EQ(body(still).at("quantity").as_int64(), 1);
    const auto after = (co_await engine.history("inventory", std::nullopt, 0))->position;
    EXPECT_EQ(after.offset, before.offset + 1) << "a refused order publishes nothing";

    auto dash3 = co_await call(app, req("GET", "/api/dashboard"));
    EXPECT_EQ(header(dash3, "X-Cache"), "HIT") << "a refused order invalidates nothing";
    auto stats = co_await call(app, req("GET", "/api/stats"));
    EXPECT_GT(body(stats).at("hit_ratio").as_double(), 0.0);
    EXPECT_EQ(body(dash1).at("orders").as_int64(), body(dash3).at("orders").as_int64());
  });
}

TEST_F(InventoryAppTest, ServesThePageAndDeclinesOtherPaths) {
  with_app([&](InventoryApp& app) -> awaitable<void> {
    auto index = co_await app.handle(req("GET", "/"));
    CO_ASSERT_TRUE(index.has_value());
    EXPECT_EQ(index->status, 200);
    EXPECT_EQ(index->content_type, "text/html; charset=utf-8");
    auto traversal = co_await app.handle(req("GET", "/static/../CMakeLists.txt"));
    CO_ASSERT_TRUE(traversal.has_value());
    EXPECT_EQ(traversal->status, 400);
    EXPECT_FALSE((co_await app.handle(req("GET", "/favicon.ico"))).has_value());
    EXPECT_FALSE((co_await app.handle(req("POST", "/"))).has_value());
  });
}

TEST_F(InventoryAppTest, HandlerHopsToTheAppExecutorAndBack) {
  asio::io_context app_context;
  auto guard = asio::make_work_guard(app_context);
  std::thread app_thread([&] { app_context.run(); });
  {
    cache::Cache cache(app_context.get_executor(), cache::CacheConfig{}, nullptr, std::nullopt);
    InventoryApp app(app_context.get_executor(), store, cache, engine);
    run_coro([&](asio::any_io_executor ex) -> awaitable<void> {
      auto opened = co_await store.open(300);
      CO_ASSERT_TRUE(opened.has_value());
      auto handler = app.handler();
      auto r = co_await handler(req("GET", "/api/products/3"));
      CO_ASSERT_TRUE(r.has_value());
      EXPECT_EQ(r->status, 200);
      EXPECT_TRUE(ex.target<asio::io_context::executor_type>()->running_in_this_thread())
          << "resumed on the caller's executor";
      auto again = co_await handler(req("GET", "/api/products/3"));
      EXPECT_EQ(header(*again, "X-Cache"), "HIT");
    });
  }
  guard.reset();
  app_thread.join();
}

}  // namespace
}  // namespace herald::inventory::test
