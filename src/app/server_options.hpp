// server_options: the one mapping of `herald serve`'s settings (ServerConfig, loaded
// through the settings table) onto the libraries' configurations: the gateway's
// options, its engine (the embedded memory engine, or the Redis engine with --redis),
// the cache's Redis and the HTTP cache gateway's options. `herald serve` and
// `herald demo` both use it, so a setting means the same in both.
#pragma once

#include <herald/app/server_config.hpp>
#include <herald/gateway/gateway_options.hpp>

#include "proxy/proxy_options.hpp"

#include <string>

namespace herald::app {

/// Every gateway setting of c (engine_factory, app handlers, metrics: the caller's).
gateway::GatewayOptions gateway_options(const ServerConfig& c);

/// Sets options.engine_factory for the Redis engine (no-op without c.redis_url) and
/// appends the engine's counters to options.extra_metrics (set that first). Throws
/// std::invalid_argument on a bad URL (config validation catches it first).
void use_redis_engine(gateway::GatewayOptions& options, const ServerConfig& c);

/// The cache's Redis: --cache-redis, else the engine's --redis, else "" (L1 only).
std::string cache_redis_url(const ServerConfig& c);

/// The HTTP cache gateway's options (--upstream and its timeouts, [[route]] rules).
proxy::ProxyOptions proxy_options(const ServerConfig& c);

}  // namespace herald::app
