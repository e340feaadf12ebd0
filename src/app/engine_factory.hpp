// engine_factory: builds the gateway's engine from the command line: the embedded
// memory engine by default (an empty factory), the Redis engine with --redis.
#pragma once

#include <herald/gateway/channel_rules.hpp>
#include <herald/gateway/gateway_options.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace herald::app {

/// What the Redis engine needs from `herald serve` / `herald demo`.
struct EngineSettings {
  std::string redis_url;  ///< empty: the memory engine
  std::string pubsub = "auto";
  std::vector<gateway::ChannelRule> channels;
  std::size_t history_size = 100;
  std::chrono::seconds history_ttl{300};
  std::chrono::seconds presence_ttl{30};
  std::chrono::seconds ingest_claim_idle{30};
  unsigned wait_replicas = 0;  ///< --redis-wait-replicas
  std::string node_id;
};

/// Sets options.engine_factory for the Redis engine (no-op without a URL) and appends
/// the engine's counters to options.extra_metrics (set that first). Throws
/// std::invalid_argument on a bad URL (config validation catches it first).
void use_redis_engine(gateway::GatewayOptions& options, const EngineSettings& settings);

}  // namespace herald::app
