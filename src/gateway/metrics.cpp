// Metrics: per-shard counters summed into Prometheus text on scrape.
#include "gateway/metrics.hpp"

#include <fmt/format.h>

namespace herald::gateway {

void ShardMetrics::observe_latency(std::chrono::steady_clock::duration d) noexcept {
  double seconds = std::chrono::duration<double>(d).count();
  std::size_t i = 0;
  while (i < latency_buckets.size() && seconds > latency_buckets[i]) ++i;
  latency[i].fetch_add(1, std::memory_order_relaxed);
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
  latency_sum_ns.fetch_add(ns > 0 ? static_cast<std::uint64_t>(ns) : 0, std::memory_order_relaxed);
}

Metrics::Metrics(std::size_t shards) {
  for (std::size_t i = 0; i < shards; ++i) shards_.push_back(std::make_unique<ShardMetrics>());
}

std::int64_t Metrics::queued_bytes() const noexcept {
  std::int64_t total = 0;
  for (const auto& s : shards_) total += s->queued_bytes.load(std::memory_order_relaxed);
  return total;
}

std::string Metrics::render(std::int64_t channels) const {
  auto sum = [this](auto member) {
    std::int64_t total = 0;
    for (const auto& s : shards_)
      total += static_cast<std::int64_t>(((*s).*member).load(std::memory_order_relaxed));
    return total;
  };
  std::string out;
  auto metric = [&out](const char* name, const char* type, const char* help, std::int64_t value) {
    out += fmt::format("# HELP {0} {1}\n# TYPE {0} {2}\n{0} {3}\n", name, help, type, value);
  };
  metric("herald_connections", "gauge", "Open WebSocket, SSE and Socket.IO connections.",
         sum(&ShardMetrics::connections));
  metric("herald_socketio_connections", "gauge",
         "Open Socket.IO connections (included in herald_connections).",
         sum(&ShardMetrics::socketio_connections));
  metric("herald_subscriptions", "gauge", "Active channel subscriptions.",
         sum(&ShardMetrics::subscriptions));
  metric("herald_send_queue_bytes", "gauge", "Bytes queued to clients, not yet written.",
         sum(&ShardMetrics::queued_bytes));
  if (channels >= 0) metric("herald_channels", "gauge", "Channels held by the engine.", channels);
  metric("herald_messages_in_total", "counter", "Client frames received.",
         sum(&ShardMetrics::messages_in));
  metric("herald_bytes_in_total", "counter", "Client frame bytes received.",
         sum(&ShardMetrics::bytes_in));
  metric("herald_messages_out_total", "counter", "Frames written to clients.",
         sum(&ShardMetrics::messages_out));
  metric("herald_bytes_out_total", "counter", "Frame bytes written to clients.",
         sum(&ShardMetrics::bytes_out));
  metric("herald_publications_total", "counter", "Publications accepted.",
         sum(&ShardMetrics::publications));
  metric("herald_slow_consumers_total", "counter", "Connections dropped as slow consumers (3008).",
         sum(&ShardMetrics::slow_consumers));
  metric("herald_publish_refused_total", "counter",
         "HTTP publishes refused with 503 because the delivery backlog stayed over the limit.",
         sum(&ShardMetrics::publish_refused));
  metric("herald_rate_limited_total", "counter", "Client frames refused with 429.",
         sum(&ShardMetrics::rate_limited));
  metric("herald_rejected_connections_total", "counter",
         "Connections refused over the connection cap.", sum(&ShardMetrics::rejected_connections));
  metric("herald_accept_failures_total", "counter",
         "Failed accepts (out of descriptors and the like), each followed by a 50 ms back-off.",
         sum(&ShardMetrics::accept_failures));

  const char* name = "herald_publish_deliver_latency_seconds";
  out += fmt::format(
      "# HELP {0} Time from publish accepted to frame written to the client.\n# TYPE {0} "
      "histogram\n",
      name);
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i <= latency_buckets.size(); ++i) {
    for (const auto& s : shards_) cumulative += s->latency[i].load(std::memory_order_relaxed);
    if (i < latency_buckets.size()) {
      out += fmt::format("{}_bucket{{le=\"{}\"}} {}\n", name, latency_buckets[i], cumulative);
    } else {
      out += fmt::format("{}_bucket{{le=\"+Inf\"}} {}\n", name, cumulative);
    }
  }
  double sum_seconds = static_cast<double>(sum(&ShardMetrics::latency_sum_ns)) / 1e9;
  out += fmt::format("{}_sum {}\n{}_count {}\n", name, sum_seconds, name, cumulative);
  return out;
}

}  // namespace herald::gateway
