// The library API as a C++ service uses it, against a real redis-server: typed
// values through Boost.JSON value_from / value_to (typed_cache.hpp), a value the
// codec cannot read, and operations co_spawned with temporaries (the Cache owns
// its arguments: under the old const-reference API these tests read freed memory,
// which ASan reports).
#include "cache_test_util.hpp"

#include <herald/cache/typed_cache.hpp>

#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace herald::cache::test {

/// A user's type: JSON in the cache through tag_invoke (found by ADL).
struct Product {
  int id = 0;
  std::string name;
  double price = 0;
  friend bool operator==(const Product&, const Product&) = default;
};

void tag_invoke(boost::json::value_from_tag, boost::json::value& v, const Product& p) {
  v = {{"id", p.id}, {"name", p.name}, {"price", p.price}};
}

Product tag_invoke(boost::json::value_to_tag<Product>, const boost::json::value& v) {
  const auto& o = v.as_object();
  return {boost::json::value_to<int>(o.at("id")), boost::json::value_to<std::string>(o.at("name")),
          boost::json::value_to<double>(o.at("price"))};
}

namespace {

using herald::test::run_coro;

using ProductLoader = std::function<awaitable<std::optional<Product>>()>;

/// A loader owning what it uses (a shared counter), as the header asks.
ProductLoader product_loader(std::shared_ptr<int> calls, std::optional<Product> p) {
  return [calls, p]() -> awaitable<std::optional<Product>> {
    ++*calls;
    co_return p;
  };
}

TEST(TypedCache, JsonValueFromValueToThroughL2) {
  RedisServer server;
  server.start();
  run_on_two_nodes(server, [&](asio::any_io_executor, Node& a, Node& b) -> awaitable<void> {
    const Product kettle{7, "kettle \"deluxe\"", 25.5};
    auto calls = std::make_shared<int>(0);
    const std::string key = CacheKey("products").entity("product").id(7).str();

    auto first = get_or_set_json<Product>(a.cache, key, product_loader(calls, kettle),
                                          plain_policy({"product:7", "products"}));
    auto r = co_await std::move(first);
    CO_ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->source, CacheSource::loader);
    CO_ASSERT_TRUE(r->value.has_value());
    EXPECT_EQ(*r->value, kettle);
    CO_ASSERT_TRUE(co_await wait_until([&] { return a.cache.stats().writes == 1; }));
    CO_ASSERT_TRUE(co_await bus_barrier(a, b));

    // Another node: decoded from Redis with value_to, no load.
    auto second = get_or_set_json<Product>(b.cache, key, product_loader(calls, std::nullopt),
                                           plain_policy({"product:7", "products"}));
    r = co_await std::move(second);
    CO_ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->source, CacheSource::l2);
    CO_ASSERT_TRUE(r->value.has_value());
    EXPECT_EQ(*r->value, kettle);
    EXPECT_EQ(*calls, 1);

    // "Not found" is cached too, and typed as an empty optional.
    const std::string missing = CacheKey("products").entity("product").id(8).str();
    auto none = get_or_set_json<Product>(a.cache, missing, product_loader(calls, std::nullopt),
                                         plain_policy());
    r = co_await std::move(none);
    CO_ASSERT_TRUE(r.has_value());
    EXPECT_FALSE(r->value.has_value());

    // boost::json::value itself, the default T, with a lambda loader.
    auto raw = get_or_set_json(
        a.cache, "json:raw:1",
        []() -> awaitable<std::optional<boost::json::value>> {
          co_return boost::json::value{{"a", 1}};
        },
        plain_policy());
    auto rv = co_await std::move(raw);
    CO_ASSERT_TRUE(rv.has_value());
    CO_ASSERT_TRUE(rv->value.has_value());
    EXPECT_EQ(rv->value->at("a").as_int64(), 1);
  });
}

TEST(TypedCache, UndecodableValueIsAnErrorAndIsDropped) {
  RedisServer server;
  server.start();
  run_on_one_node(server, [&](asio::any_io_executor, Node& a) -> awaitable<void> {
    const std::string key = "products:product:9";
    // Bytes that are JSON but not a Product (value_to throws), stored as-is.
    auto stored = a.cache.set(key, R"({"id":"nine"})", plain_policy());
    co_await std::move(stored);
    auto calls = std::make_shared<int>(0);
    const Product teapot{9, "teapot", 18.5};
    auto bad =
        get_or_set_json<Product>(a.cache, key, product_loader(calls, teapot), plain_policy());
    auto r = co_await std::move(bad);
    CO_ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error(), make_error_code(CacheErrc::decode_failed));
    EXPECT_EQ(*calls, 0);
    // Removed: the next read loads again.
    auto again =
        get_or_set_json<Product>(a.cache, key, product_loader(calls, teapot), plain_policy());
    r = co_await std::move(again);
    CO_ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->source, CacheSource::loader);
    CO_ASSERT_TRUE(r->value.has_value());
    EXPECT_EQ(*r->value, teapot);
    EXPECT_EQ(*calls, 1);
  });
}

/// A key long enough to live on the heap (no small-string buffer), built per call.
std::string make_key(int i) {
  return "products:product:" + std::to_string(i) + ":a-key-longer-than-any-small-string-buffer";
}

/// Every coroutine of the Cache co_spawned with temporaries only: key, tags and
/// policy die at the end of the co_spawn statement, before the operation runs.
TEST(TypedCache, CoSpawnedOperationsOwnTheirArguments) {
  RedisServer server;
  server.start();
  run_on_one_node(server, [&](asio::any_io_executor ex, Node& a) -> awaitable<void> {
    constexpr int kReads = 8;
    int answered = 0;
    std::vector<std::string> values;
    Signal done(ex);
    for (int i = 0; i < kReads; ++i) {
      asio::co_spawn(ex,
                     a.cache.get_or_set(
                         make_key(i),
                         [i]() -> awaitable<std::optional<std::string>> {
                           co_return "value-" + std::to_string(i);
                         },
                         plain_policy({"tag-" + std::to_string(i) + "-long-enough-for-the-heap"})),
                     [&](std::exception_ptr e, Result<CacheValue> r) {
                       ++answered;
                       if (!e && r && r->value) values.push_back(*r->value);
                       done.notify();
                     });
    }
    CO_ASSERT_TRUE(co_await done.wait([&] { return answered == kReads; }, 10s));
    EXPECT_EQ(values.size(), std::size_t{kReads});

    // get, set, remove, invalidate_tags and invalidate_namespace the same way.
    int finished = 0;
    auto count = [&](std::exception_ptr e, auto&&...) {
      EXPECT_FALSE(e);
      ++finished;
      done.notify();
    };
    asio::co_spawn(ex, a.cache.set(make_key(100), std::string(64, 'x'), plain_policy({"t100"})),
                   count);
    asio::co_spawn(ex, a.cache.get(make_key(0), plain_policy({"tag-0-long-enough-for-the-heap"})),
                   count);
    asio::co_spawn(ex, a.cache.remove(make_key(1)), count);
    asio::co_spawn(ex, a.cache.invalidate_tags({"tag-2-long-enough-for-the-heap", "t100"}), count);
    asio::co_spawn(ex, a.cache.invalidate_namespace(std::string("products")), count);
    CO_ASSERT_TRUE(co_await done.wait([&] { return finished == 5; }, 10s));
  });
}

}  // namespace
}  // namespace herald::cache::test
