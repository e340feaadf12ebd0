// herald: the command-line entry point. `herald serve` runs the real-time gateway
// (protocol.md section 5): load the configuration (flag > env > file > default),
// start the server, wait for SIGTERM/SIGINT, drain gracefully, exit 0.
#include <herald/app/server_config.hpp>
#include <herald/gateway/server.hpp>

#include "app/cache_command.hpp"
#include "app/cache_host.hpp"
#if defined(HERALD_WITH_DEMO)
#include "app/demo_command.hpp"
#endif
#include "app/logging.hpp"
#include "app/server_options.hpp"
#include "app/shutdown_signal.hpp"
#include "proxy/http_proxy.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>

#include <csignal>
#include <cstdio>
#include <exception>
#include <future>
#include <memory>
#include <string>
#include <variant>
#include <vector>

namespace {

constexpr const char* usage =
    "Usage: herald <command> [options]\n"
    "\n"
    "Commands:\n"
    "  serve    run the real-time gateway (herald serve --help lists its options)\n"
#if defined(HERALD_WITH_DEMO)
    "  demo     run the example inventory app and its live dashboard on the gateway\n"
#endif
    "  cache    inspect and invalidate a cluster's cache: stats | clear | invalidate\n"
    "  version  print the version (also --version)\n";

int serve(const std::vector<std::string>& args) {
  auto loaded = herald::app::load_server_config(args, herald::app::environment_map());
  if (auto* err = std::get_if<herald::app::ConfigError>(&loaded)) {
    std::fputs(err->message.c_str(), err->exit_code == 0 ? stdout : stderr);
    if (!err->message.empty() && err->message.back() != '\n')
      std::fputc('\n', err->exit_code == 0 ? stdout : stderr);
    return err->exit_code;
  }
  const auto& config = std::get<herald::app::ServerConfig>(loaded);
  herald::app::configure_logging(config.log_format, config.log_level);
  herald::app::ShutdownSignal shutdown_signal;  // before any thread starts

  try {
    // The cache behind POST /api/invalidate and the `tag:` feed: L1 only, or with
    // Redis (L2 + the invalidation bus) when --cache-redis is given.
    // The cache shares the engine's Redis unless --cache-redis names another.
    herald::app::CacheHost cache_host(herald::app::cache_redis_url(config));
    auto options = herald::app::gateway_options(config);
    options.invalidate_tags = [&cache_host](std::vector<std::string> tags) {
      return cache_host.shared().invalidate_tags(std::move(tags));
    };
    options.extra_metrics = [&cache_host] { return cache_host.prometheus(); };
    // The HTTP cache gateway: it lives on the cache's thread, in the same cache (so
    // POST /api/invalidate and the tag: bridge cover proxied answers too).
    std::unique_ptr<herald::proxy::HttpProxy> proxy;
    if (!config.upstream_host.empty()) {
      const herald::proxy::ProxyOptions po = herald::app::proxy_options(config);
      proxy = std::make_unique<herald::proxy::HttpProxy>(cache_host.shared().executor(),
                                                         cache_host.shared().cache(), po);
      options.proxy = proxy.get();
      options.extra_metrics = [&cache_host, p = proxy.get()] {
        return cache_host.prometheus() + p->prometheus();
      };
      spdlog::info("proxying to upstream http://{}:{}", po.upstream_host, po.upstream_port);
    }
    // The admin console's cache and proxy figures (cumulative counters).
    options.admin_figures = [&cache_host, p = proxy.get()] {
      std::string out = "{\"cache\":" + cache_host.figures_json();
      if (p != nullptr) {
        const auto& s = p->stats();
        constexpr auto relaxed = std::memory_order_relaxed;
        out += ",\"proxy\":{\"hits\":" + std::to_string(s.hits.load(relaxed)) +
               ",\"misses\":" + std::to_string(s.misses.load(relaxed)) +
               ",\"stale\":" + std::to_string(s.stale.load(relaxed)) + "}";
      }
      return out + "}";
    };
    herald::app::use_redis_engine(options, config);
    // Declared after the cache host: destroyed (drained) before it.
    herald::gateway::Server server(options);
    cache_host.bridge_to(server.engine());
    cache_host.start();
    server.start();
    spdlog::info("received {}: shutting down", shutdown_signal.wait());
    server.shutdown();
    if (proxy) {
      // The proxy's upstream connections live on the cache thread: end them there.
      std::promise<void> done;
      boost::asio::post(cache_host.shared().executor(), [&proxy, &done] {
        proxy->stop();
        proxy.reset();
        done.set_value();
      });
      done.get_future().wait();
    }
  } catch (const std::exception& e) {
    spdlog::critical("herald serve: {}", e.what());
    spdlog::shutdown();
    return 1;
  }
  spdlog::shutdown();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && (args[0] == "--version" || args[0] == "version")) {
    std::printf("herald %s\n", HERALD_VERSION);
    return 0;
  }
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::fputs(usage, args.empty() ? stderr : stdout);
    return args.empty() ? 2 : 0;
  }
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "serve") return serve(rest);
#if defined(HERALD_WITH_DEMO)
  if (args[0] == "demo") return herald::app::run_demo_command(rest);
#endif
  if (args[0] == "cache") return herald::app::run_cache_command(rest);
  std::fprintf(stderr, "herald: unknown command '%s'\n%s", args[0].c_str(), usage);
  return 2;
}
