// Metrics: per-shard counters summed into Prometheus text on scrape.
#include "gateway/metrics.hpp"

#include <fmt/format.h>

namespace herald::gateway {
namespace {

/// The `# HELP` and `# TYPE` lines of one family.
void family(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  out += fmt::format("# HELP {0} {1}\n# TYPE {0} {2}\n", name, help, type);
}

/// The bucket, sum and count lines of one histogram series: `cells(shard)` is its
/// HistogramCells on each shard; `labels` is "" or `key="value",` (trailing comma,
/// for the `le` label).
template <std::size_t N, class Cells>
void histogram_series(std::string& out, std::string_view name, std::string_view labels,
                      const std::array<double, N>& bounds,
                      const std::vector<std::unique_ptr<ShardMetrics>>& shards, Cells cells) {
  std::uint64_t cumulative = 0;
  std::uint64_t sum_ns = 0;
  for (const auto& s : shards) sum_ns += cells(*s).sum_ns.load(std::memory_order_relaxed);
  for (std::size_t i = 0; i <= N; ++i) {
    for (const auto& s : shards) cumulative += cells(*s).counts[i].load(std::memory_order_relaxed);
    if (i < N) {
      out += fmt::format("{}_bucket{{{}le=\"{}\"}} {}\n", name, labels, bounds[i], cumulative);
    } else {
      out += fmt::format("{}_bucket{{{}le=\"+Inf\"}} {}\n", name, labels, cumulative);
    }
  }
  const std::string braces =
      labels.empty() ? std::string() : fmt::format("{{{}}}", labels.substr(0, labels.size() - 1));
  out += fmt::format("{}_sum{} {}\n{}_count{} {}\n", name, braces,
                     static_cast<double>(sum_ns) / 1e9, name, braces, cumulative);
}

}  // namespace

Metrics::Metrics(std::size_t shards) {
  for (std::size_t i = 0; i < shards; ++i) shards_.push_back(std::make_unique<ShardMetrics>());
}

std::int64_t Metrics::queued_bytes() const noexcept {
  std::int64_t total = 0;
  for (const auto& s : shards_) total += s->queued_bytes.load(std::memory_order_relaxed);
  return total;
}

MetricsTotals Metrics::totals() const noexcept {
  MetricsTotals t;
  constexpr auto relaxed = std::memory_order_relaxed;
  for (const auto& s : shards_) {
    t.connections += s->connections.load(relaxed);
    t.subscriptions += s->subscriptions.load(relaxed);
    t.publications += s->publications.load(relaxed);
    t.messages_out += s->messages_out.load(relaxed);
    auto reason = [&](DisconnectReason r) {
      return s->disconnects[static_cast<std::size_t>(r)].load(relaxed);
    };
    t.slow_consumers += reason(DisconnectReason::slow_consumer);
    t.auth_disconnects += reason(DisconnectReason::auth) + reason(DisconnectReason::token_expired);
    t.rejected_connections += s->rejected_connections.load(relaxed);
    for (std::size_t i = 0; i < t.latency.size(); ++i)
      t.latency[i] += s->latency.counts[i].load(relaxed);
  }
  return t;
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
    family(out, name, type, help);
    out += fmt::format("{} {}\n", name, value);
  };
  metric("herald_connections", "gauge", "Open WebSocket, SSE and Socket.IO connections.",
         sum(&ShardMetrics::connections));
  metric("herald_socketio_connections", "gauge",
         "Open Socket.IO connections (included in herald_connections).",
         sum(&ShardMetrics::socketio_connections));
  metric("herald_subscriptions", "gauge", "Active channel subscriptions.",
         sum(&ShardMetrics::subscriptions));
  metric("herald_send_queue_bytes", "gauge",
         "Bytes to clients not yet acknowledged: queued, being written, and in the sockets' "
         "send buffers (SIOCOUTQ).",
         sum(&ShardMetrics::queued_bytes));
  if (channels >= 0) metric("herald_channels", "gauge", "Channels held by the engine.", channels);
  metric("herald_connections_opened_total", "counter",
         "Real-time connections (WebSocket, SSE, Socket.IO) started.",
         sum(&ShardMetrics::connections_opened));
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

  family(out, "herald_disconnects_total", "counter",
         "Real-time connections ended, by reason (each connection once).");
  for (std::size_t r = 0; r < disconnect_reason_count; ++r) {
    std::uint64_t n = 0;
    for (const auto& s : shards_) n += s->disconnects[r].load(std::memory_order_relaxed);
    out += fmt::format("herald_disconnects_total{{reason=\"{}\"}} {}\n", disconnect_reason_names[r],
                       n);
  }

  family(out, "herald_http_requests_total", "counter",
         "HTTP API requests answered, by endpoint and status class.");
  for (std::size_t e = 0; e < http_endpoint_count; ++e) {
    for (std::size_t c = 0; c < http_status_classes.size(); ++c) {
      std::uint64_t n = 0;
      for (const auto& s : shards_) n += s->http_requests[e][c].load(std::memory_order_relaxed);
      if (n == 0 && c != 1) continue;  // 2xx always; other classes once seen
      out += fmt::format("herald_http_requests_total{{endpoint=\"{}\",status=\"{}\"}} {}\n",
                         http_endpoint_names[e], http_status_classes[c], n);
    }
  }
  family(out, "herald_http_request_duration_seconds", "histogram",
         "HTTP API request duration, from the parsed request to the answer ready to write.");
  for (std::size_t e = 0; e < http_endpoint_count; ++e) {
    histogram_series(
        out, "herald_http_request_duration_seconds",
        fmt::format("endpoint=\"{}\",", http_endpoint_names[e]), http_duration_buckets,
        shards_, [e](const ShardMetrics& s) -> const auto& { return s.http_duration[e]; });
  }

  family(out, "herald_publish_deliver_latency_seconds", "histogram",
         "Time from publish accepted to frame written to the client (its count: deliveries).");
  histogram_series(
      out, "herald_publish_deliver_latency_seconds", "", latency_buckets, shards_,
      [](const ShardMetrics& s) -> const auto& { return s.latency; });
  return out;
}

}  // namespace herald::gateway
