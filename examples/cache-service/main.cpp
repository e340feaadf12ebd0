// cache-service: an HTTP service reading "products" through Herald's cache, as a C++
// team would write it with Herald as a library (docs/library.md walks through it).
//
//   cache-service <port> <redis-url>
//   GET  /products/<id>             the product (JSON); X-Cache: l1 | l2 | loader
//   POST /products/<id>/price/<p>   a write: changes the price, invalidates the tag
//   GET  /stats                     {"loads": n} (how often the slow "database" ran)
//
// The product is a typed value (Boost.JSON value_from / value_to, JsonCodec<T>),
// cached with tags `product:<id>` and `products`; a write invalidates `product:<id>`
// on every node sharing the Redis. One thread: the cache, the Redis pool and the
// HTTP sessions share one io_context (a multi-threaded service would share one
// herald::cache::SharedCache, shared_cache.hpp: the cache on a thread of its own).
#include <herald/cache/cache.hpp>
#include <herald/cache/typed_cache.hpp>
#include <herald/redis/pool.hpp>
#include <herald/redis/url.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include <cstdio>
#include <map>
#include <string>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using namespace std::chrono_literals;

struct Product {
  int id = 0;
  std::string name;
  double price = 0;
};

void tag_invoke(json::value_from_tag, json::value& v, const Product& p) {
  v = {{"id", p.id}, {"name", p.name}, {"price", p.price}};
}
Product tag_invoke(json::value_to_tag<Product>, const json::value& v) {
  const auto& o = v.as_object();
  return {json::value_to<int>(o.at("id")), json::value_to<std::string>(o.at("name")),
          json::value_to<double>(o.at("price"))};
}

/// The "database": slow on purpose, so the cache's worth shows.
struct Database {
  std::map<int, Product> rows{{1, {1, "kettle", 25.0}}, {2, {2, "teapot", 18.5}}};
  int loads = 0;
  asio::awaitable<std::optional<Product>> find(int id) {
    ++loads;
    asio::steady_timer t(co_await asio::this_coro::executor, 50ms);
    co_await t.async_wait(asio::use_awaitable);
    auto it = rows.find(id);
    if (it == rows.end()) co_return std::nullopt;
    co_return it->second;
  }
};

const char* source_name(herald::cache::CacheSource s) {
  switch (s) {
    case herald::cache::CacheSource::l1:
      return "l1";
    case herald::cache::CacheSource::l2:
      return "l2";
    case herald::cache::CacheSource::loader:
      return "loader";
  }
  return "?";
}

struct Service {
  herald::cache::Cache& cache;
  Database& db;

  herald::cache::CachePolicy policy(int id) const {
    herald::cache::CachePolicy p;
    p.ttl = 60s;
    p.tags = {"product:" + std::to_string(id), "products"};
    return p;
  }

  asio::awaitable<http::response<http::string_body>> handle(
      const http::request<http::string_body>& req) {
    http::response<http::string_body> res{http::status::ok, req.version()};
    res.set(http::field::content_type, "application/json");
    const std::string target(req.target());
    int id = 0;
    double price = 0;
    char extra = 0;
    if (req.method() == http::verb::get && target == "/stats") {
      res.body() = json::serialize(json::object{{"loads", db.loads}});
    } else if (req.method() == http::verb::get &&
               std::sscanf(target.c_str(), "/products/%d%c", &id, &extra) == 1) {
      // The loader owns what it uses (a pointer to the long-lived database, the id by
      // value): it may run after this request is gone (a background refresh, or a
      // load that outlives a soft timeout). Key and policy are the operation's own.
      Database* database = &db;
      std::function<asio::awaitable<std::optional<Product>>()> loader = [database, id]() {
        return database->find(id);
      };
      auto read = herald::cache::get_or_set_json<Product>(cache, "product:" + std::to_string(id),
                                                          std::move(loader), policy(id));
      auto r = co_await std::move(read);
      if (!r) {
        res.result(http::status::service_unavailable);
        res.body() = R"({"error":"cache"})";
      } else if (!r->value) {
        res.result(http::status::not_found);
        res.body() = R"({"error":"no such product"})";
      } else {
        res.set("X-Cache", source_name(r->source));
        res.body() = json::serialize(json::value_from(*r->value));
      }
    } else if (req.method() == http::verb::post &&
               std::sscanf(target.c_str(), "/products/%d/price/%lf", &id, &price) == 2 &&
               db.rows.count(id) != 0) {
      db.rows[id].price = price;
      // After the write: every node drops what it cached for this product.
      std::vector<std::string> tags{"product:" + std::to_string(id)};
      // (Named operation: g++ 12 mishandles temporaries inside co_await expressions.)
      auto invalidation = cache.invalidate_tags(std::move(tags));
      auto r = co_await std::move(invalidation);
      res.body() = json::serialize(json::object{{"invalidated", r.has_value()}});
    } else {
      res.result(http::status::not_found);
      res.body() = R"({"error":"not found"})";
    }
    res.prepare_payload();
    co_return res;
  }

  asio::awaitable<void> session(asio::ip::tcp::socket socket) {
    beast::flat_buffer buffer;
    for (;;) {
      http::request<http::string_body> req;
      // (No structured bindings of co_await results: g++ 12 miscompiles them.)
      auto read =
          co_await http::async_read(socket, buffer, req, asio::as_tuple(asio::use_awaitable));
      if (std::get<0>(read)) co_return;
      auto res = co_await handle(req);
      res.keep_alive(req.keep_alive());
      auto written = co_await http::async_write(socket, res, asio::as_tuple(asio::use_awaitable));
      if (std::get<0>(written) || !req.keep_alive()) co_return;
    }
  }

  asio::awaitable<void> listen(unsigned short port) {
    auto ex = co_await asio::this_coro::executor;
    asio::ip::tcp::acceptor acceptor(ex, {asio::ip::make_address("127.0.0.1"), port});
    std::printf("cache-service listening on 127.0.0.1:%u\n", port);
    std::fflush(stdout);
    for (;;) {
      auto socket = co_await acceptor.async_accept(asio::use_awaitable);
      asio::co_spawn(ex, session(std::move(socket)), asio::detached);
    }
  }
};

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: cache-service <port> <redis-url>\n");
    return 2;
  }
  auto url = herald::redis::RedisUrl::parse(argv[2]);
  if (!url) {
    std::fprintf(stderr, "cache-service: bad redis url: %s\n", url.error().message().c_str());
    return 2;
  }
  asio::io_context io;
  herald::redis::ConnectionConfig redis;
  redis.url = *url;
  herald::redis::Pool pool(io.get_executor(), redis, 4);
  pool.start();
  herald::cache::Cache cache(io.get_executor(), herald::cache::CacheConfig{}, &pool, redis);
  cache.start();
  Database db;
  Service service{cache, db};
  asio::co_spawn(io, service.listen(static_cast<unsigned short>(std::stoi(argv[1]))),
                 [](std::exception_ptr e) {
                   if (e) std::rethrow_exception(e);
                 });
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](auto, int) {
    cache.stop();
    pool.stop();
    io.stop();
  });
  io.run();
  return 0;
}
