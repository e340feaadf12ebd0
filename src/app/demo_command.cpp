// herald demo: wires the inventory app (store on its DbWorker, cache and app on one
// app thread) into the gateway through GatewayOptions::app_handler, and the app's
// publications into the gateway's engine (Server::engine()).
//
// Threads: the gateway's shards; one app thread (io_context) owning the Cache and
// the app's state; the DbWorker's thread for SQLite. Start-up order: app thread,
// database opened and seeded, server constructed (its engine exists from then on),
// app built on that engine, then the server starts accepting. Shutdown is the
// reverse: drain the server, stop the cache on its thread, stop the app thread.
#include "app/demo_command.hpp"
#include "app/cache_host.hpp"
#include "app/engine_factory.hpp"

#include "app/config/config_values.hpp"
#include "app/logging.hpp"
#include "app/shutdown_signal.hpp"

#include <inventory/db_worker.hpp>
#include <inventory/inventory_app.hpp>
#include <inventory/inventory_store.hpp>

#include <herald/cache/cache.hpp>
#include <herald/gateway/server.hpp>
#include <herald/redis/pool.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_future.hpp>

#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <csignal>
#include <cstdio>
#include <future>
#include <memory>
#include <optional>
#include <thread>

namespace herald::app {
namespace asio = boost::asio;

namespace {

struct DemoOptions {
  std::string listen = "127.0.0.1:8080";
  std::string db = "herald-demo.db";
  std::string redis;
  std::string web_root;
  std::string client_dir;
  std::string host;
  std::uint16_t port = 8080;
  bool no_cache = false;
  std::string node_id;
};

/// Parses the flags; nullopt with `exit_code` set when the process should exit.
std::optional<DemoOptions> parse(const std::vector<std::string>& args, int& exit_code) {
  DemoOptions o;
  CLI::App cli{"herald demo: the example inventory app with its live dashboard", "herald demo"};
  cli.add_option("--listen", o.listen, "HOST:PORT to listen on")->capture_default_str();
  cli.add_option("--db", o.db, "SQLite file (created and seeded on first run)")
      ->capture_default_str();
  cli.add_option(
      "--redis", o.redis,
      "redis://... or rediss://... : the Redis engine (several demo processes act as one) and the "
      "cache's L2 + bus (default: the embedded engine, L1 only)");
  cli.add_option("--node-id", o.node_id, "this process's name in the herald:ingest group");
  cli.add_option("--web-root", o.web_root,
                 "directory of the dashboard page (default: source tree)");
  cli.add_option("--client-dir", o.client_dir, "directory of the JS client (default: source tree)");
  cli.add_flag("--no-cache", o.no_cache, "read from SQLite every time (benchmark yardstick)");
  std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 parses a reversed vector
  try {
    cli.parse(reversed);
  } catch (const CLI::ParseError& e) {
    // --help prints and exits 0; any other parse error is bad usage (2), whatever
    // CLI11's own code for it.
    exit_code = cli.exit(e) == 0 ? 0 : 2;
    return std::nullopt;
  }
  if (auto problem = detail::parse_listen(o.listen, o.host, o.port)) {
    std::fprintf(stderr, "herald demo: --listen: %s\n", problem->c_str());
    exit_code = 2;
    return std::nullopt;
  }
  return o;
}

}  // namespace

int run_demo_command(const std::vector<std::string>& args) {
  int exit_code = 0;
  auto options = parse(args, exit_code);
  if (!options) return exit_code;
  configure_logging("text", "info");

  ShutdownSignal shutdown_signal;  // before any thread starts

  try {
    inventory::DbWorker worker(options->db);
    inventory::InventoryStore store(worker);

    // The cache (and its Redis pool, with --redis) live on the cache host's thread,
    // which is also the app thread. A bad URL is a usage error.
    if (!options->redis.empty() && !redis::RedisUrl::parse(options->redis)) {
      std::fprintf(stderr, "herald demo: --redis: bad URL\n");
      return 2;
    }
    CacheHost host(options->redis);
    cache::Cache& cache = host.shared().cache();  // used on host.shared().executor()
    const bool with_redis = !options->redis.empty();

    inventory::InventoryApp* app_ptr = nullptr;  // set before start(): no request sees null
    gateway::GatewayOptions gw;
    gw.listen_host = options->host;
    gw.listen_port = options->port;
    gw.app_handler = [&app_ptr](gateway::AppRequest request) {
      return app_ptr->serve(std::move(request));
    };
    gw.invalidate_tags = [&host](std::vector<std::string> tags) {
      return host.shared().invalidate_tags(std::move(tags));
    };
    // With --redis, every demo process publishes through Redis: a write made through
    // any of them reaches the browsers of all of them.
    gw.extra_metrics = [&host] { return host.prometheus(); };
    EngineSettings engine;
    engine.redis_url = options->redis;
    engine.node_id = options->node_id;
    use_redis_engine(gw, engine);
    // Declared after the host: the server is drained before the cache stops.
    gateway::Server server(gw);
    host.bridge_to(server.engine());
    host.start();

    auto opened = asio::co_spawn(host.shared().executor(), store.open(300), asio::use_future).get();
    if (!opened) {
      spdlog::critical("herald demo: database {}: {}", options->db, opened.error().message);
      return 1;
    }
    if (*opened) spdlog::info("created {} with 300 products and some orders", options->db);

    inventory::InventoryOptions app_options;
    if (!options->web_root.empty()) app_options.web_root = options->web_root;
    if (!options->client_dir.empty()) app_options.client_dir = options->client_dir;
    app_options.cache_enabled = !options->no_cache;
    inventory::InventoryApp app(host.shared().executor(), store, cache, server.engine(),
                                app_options);
    if (!app.static_files().missing().empty())
      spdlog::warn("herald demo: {}", app.static_files().missing());
    app_ptr = &app;
    // Declared after the app: on every exit path the server has stopped (no request
    // in flight) before the app is destroyed. shutdown() is idempotent.
    struct Drain {
      gateway::Server& server;
      ~Drain() { server.shutdown(); }
    } drain{server};

    server.start();
    spdlog::info("herald demo: open http://{}:{}/ (database {}, cache {})", options->host,
                 server.port(), options->db,
                 with_redis ? "L1 + Redis, Redis engine" : "L1 only, embedded engine");
    spdlog::info("received {}: shutting down", shutdown_signal.wait());
    server.shutdown();  // no request reaches the app after this; the host stops last
  } catch (const std::exception& e) {
    spdlog::critical("herald demo: {}", e.what());
    spdlog::shutdown();
    return 1;
  }
  spdlog::shutdown();
  return 0;
}

}  // namespace herald::app
