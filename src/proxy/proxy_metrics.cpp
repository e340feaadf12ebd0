// render_proxy_metrics: Prometheus text of ProxyStats (totals and per route).
#include "proxy/proxy_metrics.hpp"

#include "proxy/core/route_table.hpp"

namespace herald::proxy {
namespace {

std::string number(const std::atomic<std::uint64_t>& v) {
  return std::to_string(v.load(std::memory_order_relaxed));
}

/// A label value with `\`, `"` and newlines escaped (Prometheus text format).
std::string label_value(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

/// `ms` milliseconds as decimal seconds ("0.005", "2.5", "10").
std::string seconds_of_ms(std::uint64_t ms) {
  std::string out = std::to_string(ms / 1000);
  if (ms % 1000 == 0) return out;
  std::string frac = std::to_string(ms % 1000 + 1000).substr(1);  // 3 digits
  while (frac.back() == '0') frac.pop_back();
  return out + "." + frac;
}

/// The bucket, sum and count lines of one latency histogram; `labels` is "" or
/// `route="...",` (a trailing comma, for the `le` label).
void histogram(std::string& out, const std::string& name, const std::string& labels,
               const ProxyStats& s) {
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i <= ProxyStats::kLatencyBoundsMs.size(); ++i) {
    cumulative += s.latency_buckets[i].load(std::memory_order_relaxed);
    const std::string le = i < ProxyStats::kLatencyBoundsMs.size()
                               ? seconds_of_ms(ProxyStats::kLatencyBoundsMs[i])
                               : std::string("+Inf");
    out += name + "_bucket{" + labels + "le=\"" + le + "\"} " + std::to_string(cumulative) + "\n";
  }
  const auto sum_us = s.latency_sum_us.load(std::memory_order_relaxed);
  const std::string braces = labels.empty() ? "" : "{" + labels.substr(0, labels.size() - 1) + "}";
  out += name + "_sum" + braces + " " + std::to_string(sum_us / 1000000) + "." +
         std::to_string(sum_us % 1000000 + 1000000).substr(1) + "\n";
  out += name + "_count" + braces + " " + number(s.latency_count) + "\n";
}

}  // namespace

void ProxyStats::observe_upstream(std::chrono::steady_clock::duration d) noexcept {
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(d).count();
  const auto ms = static_cast<std::uint64_t>(us / 1000);
  std::size_t i = 0;
  while (i < kLatencyBoundsMs.size() && ms >= kLatencyBoundsMs[i]) ++i;
  latency_buckets[i].fetch_add(1, std::memory_order_relaxed);  // non-cumulative here
  latency_sum_us.fetch_add(static_cast<std::uint64_t>(us), std::memory_order_relaxed);
  latency_count.fetch_add(1, std::memory_order_relaxed);
}

void count(ProxyStats& s, ProxyOutcome outcome) noexcept {
  switch (outcome) {
    case ProxyOutcome::hit:
      ++s.hits;
      break;
    case ProxyOutcome::stale:
      ++s.stale;
      break;
    case ProxyOutcome::miss:
      ++s.misses;
      break;
    case ProxyOutcome::bypass:
      ++s.bypasses;
      break;
    case ProxyOutcome::error:
      ++s.upstream_errors;
      break;
    case ProxyOutcome::purge:
      ++s.purges;
      break;
  }
}

std::string render_proxy_metrics(const CachingProxy& proxy, const TunnelStats& tunnels) {
  const ProxyStats& s = proxy.stats();
  std::string out;
  auto counter = [&](const char* name, const char* help, const std::atomic<std::uint64_t>& v) {
    out += std::string("# HELP herald_proxy_") + name + " " + help + "\n# TYPE herald_proxy_" +
           name + " counter\nherald_proxy_" + name + " " + number(v) + "\n";
  };
  counter("hits_total", "Answers from the cache (fresh).", s.hits);
  counter("waited_total", "Hits handed to requests that waited behind another for their URL.",
          s.waited);
  counter("misses_total", "Answers fetched from the upstream for the cache.", s.misses);
  counter("stale_total", "Stale answers (stale-while-revalidate, stale-if-error).", s.stale);
  counter("bypasses_total", "Requests forwarded without the cache.", s.bypasses);
  counter("not_modified_total", "304 answers from the cache.", s.not_modified);
  counter("upstream_requests_total", "Requests sent to the upstream.", s.upstream_requests);
  counter("upstream_errors_total", "Upstream failures (unreachable, timeout, malformed).",
          s.upstream_errors);
  counter("write_invalidations_total", "Successful writes whose route invalidated tags.",
          s.write_invalidations);
  counter("purges_total", "PURGE requests served.", s.purges);
  counter("tunnels_total", "Upgrade (WebSocket) requests relayed to the upstream after its 101.",
          tunnels.opened);
  counter("tunnels_refused_total", "Upgrade requests the upstream refused or failed.",
          tunnels.refused);
  out +=
      "# HELP herald_proxy_tunnels_open Upgrade tunnels open now.\n"
      "# TYPE herald_proxy_tunnels_open gauge\nherald_proxy_tunnels_open " +
      std::to_string(tunnels.open.load(std::memory_order_relaxed)) + "\n";
  out +=
      "# HELP herald_proxy_upstream_latency_seconds Upstream request latency (answer or "
      "failure).\n"
      "# TYPE herald_proxy_upstream_latency_seconds histogram\n";
  histogram(out, "herald_proxy_upstream_latency_seconds", "", s);

  const RouteTable& routes = proxy.routes();
  if (routes.empty()) return out;
  out +=
      "# HELP herald_proxy_route_answers_total Answers per [[route]] rule (its match pattern) "
      "and outcome.\n# TYPE herald_proxy_route_answers_total counter\n";
  for (std::size_t i = 0; i < routes.size(); ++i) {
    const ProxyStats& r = proxy.route_stats(i);
    const std::string route = "route=\"" + label_value(routes.rule(i).match) + "\"";
    const std::pair<const char*, const std::atomic<std::uint64_t>*> outcomes[] = {
        {"hit", &r.hits},
        {"stale", &r.stale},
        {"miss", &r.misses},
        {"bypass", &r.bypasses},
        {"error", &r.upstream_errors}};
    for (const auto& [outcome, value] : outcomes)
      out += "herald_proxy_route_answers_total{" + route + ",outcome=\"" + outcome + "\"} " +
             number(*value) + "\n";
  }
  out +=
      "# HELP herald_proxy_route_upstream_latency_seconds Upstream request latency per "
      "[[route]] rule.\n# TYPE herald_proxy_route_upstream_latency_seconds histogram\n";
  for (std::size_t i = 0; i < routes.size(); ++i)
    histogram(out, "herald_proxy_route_upstream_latency_seconds",
              "route=\"" + label_value(routes.rule(i).match) + "\",", proxy.route_stats(i));
  return out;
}

}  // namespace herald::proxy
