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
#include "app/server_options.hpp"

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

#include <csignal>
#include <cstdio>
#include <future>
#include <memory>
#include <optional>
#include <thread>
#include <variant>

namespace herald::app {
namespace asio = boost::asio;

namespace {

constexpr const char* demo_help =
    "Usage: herald demo [--db FILE] [--web-root DIR] [--client-dir DIR] [--no-cache]\n"
    "                   [herald serve settings...]\n"
    "\n"
    "The example inventory app with its live dashboard, on the gateway.\n"
    "  --db FILE          SQLite file, created and seeded on first run (default "
    "herald-demo.db)\n"
    "  --web-root DIR     directory of the dashboard page (default: the source tree)\n"
    "  --client-dir DIR   directory of the JS client (default: the source tree)\n"
    "  --no-cache         read from SQLite every time (benchmark yardstick)\n"
    "Every `herald serve` setting applies too, from flags, environment or --config\n"
    "(herald serve --help lists them), e.g. --listen HOST:PORT, and --redis URL: the\n"
    "Redis engine and the cache's L2 + bus, so several demo processes on one SQLite\n"
    "file act as one app.\n";

struct DemoOptions {
  std::string db = "herald-demo.db";
  std::string web_root;
  std::string client_dir;
  bool no_cache = false;
  ServerConfig server;  ///< through the settings table, as `herald serve` reads it
};

/// Takes the demo's own flags out of args and reads the rest as `herald serve` does;
/// nullopt with `exit_code` set when the process should exit.
std::optional<DemoOptions> parse(const std::vector<std::string>& args, int& exit_code) {
  DemoOptions o;
  std::vector<std::string> rest;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    bool missing = false;
    // `--name VALUE` or `--name=VALUE`.
    auto value_of = [&](std::string_view name, std::string& out) {
      if (arg == name) {
        if (i + 1 >= args.size()) {
          missing = true;
          return true;
        }
        out = args[++i];
        return true;
      }
      if (arg.size() > name.size() && arg.starts_with(name) && arg[name.size()] == '=') {
        out = arg.substr(name.size() + 1);
        return true;
      }
      return false;
    };
    if (value_of("--db", o.db) || value_of("--web-root", o.web_root) ||
        value_of("--client-dir", o.client_dir)) {
      if (missing) {
        std::fprintf(stderr, "herald demo: %s needs a value\n", arg.c_str());
        exit_code = 2;
        return std::nullopt;
      }
      continue;
    }
    if (arg == "--no-cache") {
      o.no_cache = true;
    } else if (arg == "--help" || arg == "-h") {
      std::fputs(demo_help, stdout);
      exit_code = 0;
      return std::nullopt;
    } else {
      rest.push_back(arg);
    }
  }
  auto loaded = load_server_config(rest, environment_map());
  if (auto* err = std::get_if<ConfigError>(&loaded)) {
    std::fprintf(stderr, "herald demo: %s%s", err->message.c_str(),
                 !err->message.empty() && err->message.back() == '\n' ? "" : "\n");
    exit_code = err->exit_code == 0 ? 2 : err->exit_code;
    return std::nullopt;
  }
  o.server = std::get<ServerConfig>(std::move(loaded));
  return o;
}

}  // namespace

int run_demo_command(const std::vector<std::string>& args) {
  int exit_code = 0;
  auto options = parse(args, exit_code);
  if (!options) return exit_code;
  configure_logging(options->server.log_format, options->server.log_level);

  ShutdownSignal shutdown_signal;  // before any thread starts

  try {
    inventory::DbWorker worker(options->db);
    inventory::InventoryStore store(worker);

    // The cache (and its Redis pool, with --redis) live on the cache host's thread,
    // which is also the app thread. URLs were validated by the settings table.
    const ServerConfig& config = options->server;
    CacheHost host(cache_redis_url(config));
    cache::Cache& cache = host.shared().cache();  // used on host.shared().executor()
    const bool with_redis = !config.redis_url.empty();

    inventory::InventoryApp* app_ptr = nullptr;  // set before start(): no request sees null
    gateway::GatewayOptions gw = gateway_options(config);
    gw.app_handler = [&app_ptr](gateway::AppRequest request) {
      return app_ptr->serve(std::move(request));
    };
    gw.invalidate_tags = [&host](std::vector<std::string> tags) {
      return host.shared().invalidate_tags(std::move(tags));
    };
    // With --redis, every demo process publishes through Redis: a write made through
    // any of them reaches the browsers of all of them.
    gw.extra_metrics = [&host] { return host.prometheus(); };
    use_redis_engine(gw, config);
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
    spdlog::info("herald demo: open http://{}:{}/ (database {}, cache {})", config.listen_host,
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
