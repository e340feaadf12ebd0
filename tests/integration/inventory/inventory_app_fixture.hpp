// Fixture of the InventoryApp integration tests: the app called in-process, as the
// gateway calls it, with a real MemoryEngine, an L1-only Cache and a temp SQLite file
// (seeded), plus request/response helpers.
#pragma once

#include <inventory/db_worker.hpp>
#include <inventory/inventory_app.hpp>
#include <inventory/inventory_store.hpp>

#include <herald/cache/cache.hpp>
#include <herald/realtime/memory_engine.hpp>

#include "support/run_coro.hpp"
#include "unit/inventory/temp_db.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/json/parse.hpp>

#include <map>
#include <thread>

namespace herald::inventory::test {

namespace asio = boost::asio;
namespace json = boost::json;
using asio::awaitable;
using gateway::AppRequest;
using gateway::AppResponse;
using herald::inventory::test::TempDb;
using herald::test::run_coro;

struct NullSink : realtime::DeliverySink {
  void deliver(std::size_t, const realtime::PublicationPtr&) override {}
  void disconnect_user(const std::string&) override {}
};

inline std::string header(const AppResponse& r, std::string_view name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return {};
}

inline json::value body(const AppResponse& r) {
  return json::parse(r.body);
}

/// "inventory:<epoch>:<offset>" -> {offset, epoch}.
inline realtime::StreamPosition parse_position(const std::string& h) {
  const auto last = h.rfind(':');
  const auto first = h.find(':');
  return {std::stoull(h.substr(last + 1)), h.substr(first + 1, last - first - 1)};
}

inline AppRequest req(std::string method, std::string path, std::string body_text = {}) {
  AppRequest r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.body = std::move(body_text);
  return r;
}

/// A GET with one query parameter. (Braced lists cannot appear inside co_await
/// arguments with GCC 12, hence helpers rather than initializer lists at call sites.)
inline AppRequest get_with(std::string path, std::string name, std::string value) {
  AppRequest r = req("GET", std::move(path));
  r.query[std::move(name)] = std::move(value);
  return r;
}

class InventoryAppTest : public ::testing::Test {
 protected:
  /// Runs body(app) with a seeded store, an L1-only cache and a memory engine.
  template <class Body>
  void with_app(Body test_body) {
    run_coro([&](asio::any_io_executor ex) -> awaitable<void> {
      auto opened = co_await store.open(300);
      CO_ASSERT_TRUE(opened.has_value()) << opened.error().message;
      cache::Cache cache(ex, cache::CacheConfig{}, nullptr, std::nullopt);
      cache.start();
      InventoryApp app(ex, store, cache, engine);
      co_await test_body(app);
      cache.stop();
    });
  }

  /// One call, answered (never nullopt).
  static awaitable<AppResponse> call(InventoryApp& app, AppRequest r) {
    auto out = co_await app.handle(std::move(r));
    if (!out) throw std::runtime_error("the app declined the route");
    co_return *out;
  }

  TempDb temp;
  DbWorker worker{temp.path()};
  InventoryStore store{worker};
  NullSink sink;
  realtime::MemoryEngine engine{realtime::MemoryEngineOptions{}, sink};
};

}  // namespace herald::inventory::test
