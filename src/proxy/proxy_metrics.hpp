// render_proxy_metrics: the HTTP cache gateway's counters as Prometheus text for
// /metrics: totals (herald_proxy_*_total, the upstream latency histogram in seconds, tunnels)
// and, per `[[route]]` rule, answers by outcome and upstream latency, labelled with
// the rule's `match` pattern (bounded: the config's rules, never request paths).
//
// Thread: any (reads atomics). Cost: O(routes x buckets) string building.
#pragma once

#include "proxy/caching_proxy.hpp"
#include "proxy/upgrade_tunnel.hpp"

#include <string>

namespace herald::proxy {

std::string render_proxy_metrics(const CachingProxy& proxy, const TunnelStats& tunnels);

}  // namespace herald::proxy
