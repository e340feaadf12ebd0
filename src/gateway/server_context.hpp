// ServerContext: the state every session of one Server shares: options, access
// policy, channel rules, the engine, metrics and the shards. Built once by Server and
// immutable afterwards except for the atomics; outlives every session.
#pragma once

#include <herald/gateway/channel_rules.hpp>
#include <herald/gateway/gateway_options.hpp>
#include <herald/realtime/engine.hpp>

#include "gateway/access_policy.hpp"
#include "gateway/admin_gate.hpp"
#include "gateway/metrics.hpp"
#include "gateway/shard.hpp"
#include "gateway/socketio_recovery_store.hpp"
#include "gateway/socketio_registry.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace herald::realtime {
class MemoryEngine;
}

namespace herald::gateway {

struct ServerContext {
  GatewayOptions options;
  AccessPolicy access;
  ChannelRules rules;
  Metrics metrics;
  std::vector<std::unique_ptr<Shard>> shards;
  std::unique_ptr<realtime::Engine> engine;
  realtime::MemoryEngine* memory_engine = nullptr;  ///< set when engine is the memory one
  std::atomic<std::size_t> connections{0};          ///< WebSocket + SSE, for the cap
  std::atomic<std::size_t> http_connections{0};     ///< plain HTTP, for their own cap
  std::atomic<bool> stopping{false};                ///< graceful shutdown has begun
  std::atomic<std::uint64_t> next_connection{0};
  std::string id_prefix;  ///< random per process, so connection ids differ across nodes
  SocketIoRegistry socketio_sessions;       ///< Socket.IO sessions by sid (polling, upgrades)
  SocketIoRecoveryStore socketio_recovery;  ///< ended Socket.IO sessions by pid
  std::unique_ptr<AdminGate> admin;         ///< the admin console's gate; null when it is off
  std::string node_name;      ///< this node on the admin console (node_id or id_prefix)
  std::string admin_channel;  ///< `herald:admin:stats:<node_name>`: this node's live figures

  ServerContext(GatewayOptions o, std::size_t shard_count)
      : options(std::move(o)),
        access(options.jwt_secret, options.jwt_public_key_pem, options.allowed_origins,
               options.api_key),
        rules(options.channels, options.history_size),
        metrics(shard_count) {}

  /// A new connection id: "<process prefix>-<counter>".
  std::string new_connection_id() {
    return id_prefix + "-" +
           std::to_string(next_connection.fetch_add(1, std::memory_order_relaxed) + 1);
  }
  /// Reserves a connection slot; false when at the cap (caller answers 503).
  bool acquire_connection() {
    if (connections.fetch_add(1) >= options.max_connections) {
      connections.fetch_sub(1);
      return false;
    }
    return true;
  }
  void release_connection() { connections.fetch_sub(1); }

  /// Publish backpressure ignores queues that have not drained for this long (their
  /// reader stopped; it is dropped at its own limit): SendQueue::exclude_if_stalled.
  static constexpr std::chrono::milliseconds stalled_after{500};
  static constexpr std::chrono::milliseconds stall_sweep_interval{10};
  /// True for one caller per stall_sweep_interval: that caller asks every shard to
  /// sweep its stalled queues (Shard::exclude_stalled). Any thread.
  bool claim_stall_sweep(std::chrono::steady_clock::time_point now) {
    std::int64_t t = now.time_since_epoch().count();
    std::int64_t last = last_stall_sweep.load(std::memory_order_relaxed);
    std::int64_t gap =
        std::chrono::duration_cast<std::chrono::steady_clock::duration>(stall_sweep_interval)
            .count();
    return t - last >= gap && last_stall_sweep.compare_exchange_strong(last, t);
  }
  std::atomic<std::int64_t> last_stall_sweep{0};
};

}  // namespace herald::gateway
