// Metrics: the gateway's counters, exported on /metrics in Prometheus text format.
// One ShardMetrics block per shard, written only by its shard thread (relaxed
// atomics, no contention) and summed when scraped. Names and labels follow the
// conventions of docs/operations.md ("Metrics"): base units, counters end in
// `_total`, labels from fixed sets only (DisconnectReason, HttpEndpoint, status class).
#pragma once

#include "gateway/disconnect_reason.hpp"
#include "gateway/histogram_cells.hpp"
#include "gateway/http_endpoint.hpp"

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace herald::gateway {

/// Upper bounds (seconds) of the publish-to-deliver latency histogram buckets.
inline constexpr std::array<double, 14> latency_buckets{
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5};
/// Upper bounds (seconds) of the HTTP API request duration histogram buckets.
inline constexpr std::array<double, 12> http_duration_buckets{
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5};

struct alignas(64) ShardMetrics {
  std::atomic<std::int64_t> connections{0};  ///< open WebSocket + SSE + Socket.IO connections
  std::atomic<std::int64_t> socketio_connections{0};  ///< of which Socket.IO
  std::atomic<std::int64_t> subscriptions{0};         ///< active channel subscriptions
  std::atomic<std::int64_t> queued_bytes{0};          ///< bytes waiting in send queues
  std::atomic<std::uint64_t> connections_opened{0};   ///< real-time connections started
  std::atomic<std::uint64_t> messages_in{0};          ///< client frames received
  std::atomic<std::uint64_t> bytes_in{0};
  std::atomic<std::uint64_t> messages_out{0};  ///< frames written to clients
  std::atomic<std::uint64_t> bytes_out{0};
  std::atomic<std::uint64_t> publications{0};          ///< publishes accepted (API + clients)
  std::atomic<std::uint64_t> publish_refused{0};       ///< HTTP publishes answered 503 (backlog)
  std::atomic<std::uint64_t> rate_limited{0};          ///< frames answered 429
  std::atomic<std::uint64_t> rejected_connections{0};  ///< over the connection cap
  std::atomic<std::uint64_t> accept_failures{0};       ///< accept() errors (EMFILE...)
  /// Connections ended, by DisconnectReason (each connection counts once).
  std::array<std::atomic<std::uint64_t>, disconnect_reason_count> disconnects{};
  /// HTTP API requests by HttpEndpoint and status class (http_status_class).
  std::array<std::array<std::atomic<std::uint64_t>, http_status_classes.size()>,
             http_endpoint_count>
      http_requests{};
  std::array<HistogramCells<http_duration_buckets.size()>, http_endpoint_count> http_duration{};
  HistogramCells<latency_buckets.size()> latency;  ///< publish-to-write

  /// Records one delivery's publish-to-write latency. Cost: a short scan + 2 atomics.
  void observe_latency(std::chrono::steady_clock::duration d) noexcept {
    latency.observe(latency_buckets, d);
  }
  void count_disconnect(DisconnectReason r) noexcept {
    disconnects[static_cast<std::size_t>(r)].fetch_add(1, std::memory_order_relaxed);
  }
  /// Records one HTTP API request: its endpoint, status and duration.
  void observe_http(HttpEndpoint e, unsigned status,
                    std::chrono::steady_clock::duration d) noexcept {
    const auto i = static_cast<std::size_t>(e);
    http_requests[i][http_status_class(status)].fetch_add(1, std::memory_order_relaxed);
    http_duration[i].observe(http_duration_buckets, d);
  }
};

/// The shards' counters summed (the admin console's figures).
struct MetricsTotals {
  std::int64_t connections = 0;
  std::int64_t subscriptions = 0;
  std::uint64_t publications = 0;
  std::uint64_t messages_out = 0;
  std::uint64_t slow_consumers = 0;    ///< disconnects for DisconnectReason::slow_consumer
  std::uint64_t auth_disconnects = 0;  ///< for DisconnectReason::auth and token_expired
  std::uint64_t rejected_connections = 0;
  std::array<std::uint64_t, latency_buckets.size() + 1> latency{};  ///< per bucket, not cumulative
};

class Metrics {
 public:
  explicit Metrics(std::size_t shards);
  ShardMetrics& shard(std::size_t i) noexcept { return *shards_[i]; }
  /// Bytes queued to clients on all shards. Cost: O(shards) relaxed loads.
  std::int64_t queued_bytes() const noexcept;
  /// Every shard's counters summed. Any thread. Cost: O(shards x buckets) relaxed loads.
  MetricsTotals totals() const noexcept;
  /// Prometheus text exposition; `channels` is the engine's live channel count
  /// (negative: unknown). Cost: O(shards x (buckets x endpoints)).
  std::string render(std::int64_t channels) const;

 private:
  std::vector<std::unique_ptr<ShardMetrics>> shards_;
};

}  // namespace herald::gateway
