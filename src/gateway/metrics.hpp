// Metrics: the gateway's counters, exported on /metrics in Prometheus text format.
// One ShardMetrics block per shard, written only by its shard thread (relaxed
// atomics, no contention) and summed when scraped.
#pragma once

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

struct alignas(64) ShardMetrics {
  std::atomic<std::int64_t> connections{0};  ///< open WebSocket + SSE + Socket.IO connections
  std::atomic<std::int64_t> socketio_connections{0};  ///< of which Socket.IO
  std::atomic<std::int64_t> subscriptions{0};         ///< active channel subscriptions
  std::atomic<std::int64_t> queued_bytes{0};          ///< bytes waiting in send queues
  std::atomic<std::uint64_t> messages_in{0};          ///< client frames received
  std::atomic<std::uint64_t> bytes_in{0};
  std::atomic<std::uint64_t> messages_out{0};  ///< frames written to clients
  std::atomic<std::uint64_t> bytes_out{0};
  std::atomic<std::uint64_t> publications{0};          ///< publishes accepted (API + clients)
  std::atomic<std::uint64_t> slow_consumers{0};        ///< connections dropped with 3008
  std::atomic<std::uint64_t> publish_refused{0};       ///< HTTP publishes answered 503 (backlog)
  std::atomic<std::uint64_t> rate_limited{0};          ///< frames answered 429
  std::atomic<std::uint64_t> rejected_connections{0};  ///< over the connection cap
  std::atomic<std::uint64_t> accept_failures{0};       ///< accept() errors (EMFILE...)
  std::array<std::atomic<std::uint64_t>, latency_buckets.size() + 1> latency{};  ///< last = +Inf
  std::atomic<std::uint64_t> latency_sum_ns{0};

  /// Records one delivery's publish-to-write latency. Cost: a short scan + 2 atomics.
  void observe_latency(std::chrono::steady_clock::duration d) noexcept;
};

class Metrics {
 public:
  explicit Metrics(std::size_t shards);
  ShardMetrics& shard(std::size_t i) noexcept { return *shards_[i]; }
  /// Bytes queued to clients on all shards. Cost: O(shards) relaxed loads.
  std::int64_t queued_bytes() const noexcept;
  /// Prometheus text exposition; `channels` is the engine's live channel count
  /// (negative: unknown). Cost: O(shards x buckets).
  std::string render(std::int64_t channels) const;

 private:
  std::vector<std::unique_ptr<ShardMetrics>> shards_;
};

}  // namespace herald::gateway
