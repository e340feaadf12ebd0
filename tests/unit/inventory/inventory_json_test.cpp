// Request parsing (400 causes named), event bodies, and the static file routes
// (index, content types, path traversal refused).
#include <inventory/inventory_json.hpp>
#include <inventory/static_files.hpp>

#include <boost/json/parse.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

namespace herald::inventory {
namespace {

namespace json = boost::json;

TEST(InventoryJson, ParsesOrders) {
  auto ok = parse_order(R"({"items":[{"product_id":1,"qty":2},{"product_id":7,"qty":1}]})");
  ASSERT_TRUE(ok.has_value());
  ASSERT_EQ(ok->size(), 2u);
  EXPECT_EQ((*ok)[1].product_id, 7);
  for (const char* bad :
       {"", "[]", "{", R"({"items":3})", R"({"items":[{"product_id":1}]})",
        R"({"items":[{"product_id":"1","qty":1}]})", R"({"items":[{"product_id":1,"qty":1.5}]})"}) {
    auto r = parse_order(bad);
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_EQ(r.error().code, StoreErrc::invalid_argument);
    EXPECT_FALSE(r.error().message.empty());
  }
}

TEST(InventoryJson, ParsesAdjustmentsAndProducts) {
  auto adj = parse_adjustment(R"({"delta":-3,"reason":"broken"})");
  ASSERT_TRUE(adj.has_value());
  EXPECT_EQ(adj->delta, -3);
  EXPECT_EQ(adj->reason, "broken");
  EXPECT_FALSE(parse_adjustment(R"({"reason":"x"})").has_value());
  EXPECT_FALSE(parse_adjustment(R"({"delta":"3"})").has_value());

  auto p = parse_product_input(R"({"name":"Lamp","price_cents":1299})");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->name, "Lamp");
  EXPECT_EQ(p->price_cents, 1299);
  EXPECT_FALSE(p->sku.has_value());
  auto wrong = parse_product_input(R"({"name":5})");
  ASSERT_FALSE(wrong.has_value());
  EXPECT_NE(wrong.error().message.find("name"), std::string::npos);
}

TEST(InventoryJson, EventsCarryOldAndNew) {
  auto v = json::parse(stock_event({7, 12, 9, "order #41"})).as_object();
  EXPECT_EQ(v["type"], "stock");
  EXPECT_EQ(v["product_id"], 7);
  EXPECT_EQ(v["old"], 12);
  EXPECT_EQ(v["new"], 9);
  EXPECT_EQ(v["reason"], "order #41");
  auto o = json::parse(order_event(Order{41, "placed", 500, "t", {}})).as_object();
  EXPECT_EQ(o["type"], "order");
  EXPECT_EQ(o["id"], 41);
  EXPECT_EQ(o["status"], "placed");
}

TEST(StaticFiles, ServesIndexAssetsAndRefusesTraversal) {
  namespace fs = std::filesystem;
  const fs::path root =
      fs::temp_directory_path() / ("herald-web-" + std::to_string(std::random_device{}()));
  fs::create_directories(root / "img");
  std::ofstream(root / "index.html") << "<!doctype html><title>x</title>";
  std::ofstream(root / "app.js") << "export {}";
  std::ofstream(root / "img" / "logo.svg") << "<svg/>";
  StaticFiles files(root, root / "no-client-dir");
  EXPECT_NE(files.missing().find("herald.js"), std::string::npos);

  auto index = files.serve("/");
  ASSERT_TRUE(index.has_value());
  EXPECT_EQ(index->status, 200);
  EXPECT_EQ(index->content_type, "text/html; charset=utf-8");
  auto js = files.serve("/static/app.js");
  ASSERT_TRUE(js.has_value());
  EXPECT_EQ(js->content_type, "text/javascript; charset=utf-8");
  auto svg = files.serve("/static/img/logo.svg");
  ASSERT_TRUE(svg.has_value());
  EXPECT_EQ(svg->content_type, "image/svg+xml");

  for (const char* bad : {"/static/../index.html", "/static/img/../../x", "/static/a\\b"}) {
    auto r = files.serve(bad);
    ASSERT_TRUE(r.has_value()) << bad;
    EXPECT_EQ(r->status, 400) << bad;
  }
  auto none = files.serve("/static/nope.css");
  ASSERT_TRUE(none.has_value());
  EXPECT_EQ(none->status, 404);
  EXPECT_EQ(json::parse(none->body).at("error").at("code"), 404);
  auto client = files.serve("/client/herald.js");
  ASSERT_TRUE(client.has_value());
  EXPECT_EQ(client->status, 404);
  EXPECT_FALSE(files.serve("/elsewhere").has_value());
  fs::remove_all(root);
}

}  // namespace
}  // namespace herald::inventory
