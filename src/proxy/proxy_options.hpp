// ProxyOptions: what the HTTP cache gateway is configured with (`herald serve
// --upstream URL`; the app fills it from its settings table). Every default says why.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <herald/proxy/route_rule.hpp>

namespace herald::proxy {

struct ProxyOptions {
  /// The app: host and port of `http://host:port` (only plain HTTP upstreams).
  std::string upstream_host = "127.0.0.1";
  std::uint16_t upstream_port = 3000;
  /// 2 s: a healthy upstream on the same host or LAN connects in well under 1 ms.
  std::chrono::milliseconds connect_timeout{2'000};
  /// From the request written to the end of the response's header. 30 s: a slow page
  /// render, below the 60 s idle timeout of common load balancers.
  std::chrono::milliseconds header_timeout{30'000};
  /// For the body once the header is in. 60 s.
  std::chrono::milliseconds body_timeout{60'000};
  /// Idle keep-alive connections kept to the upstream. 64: a busy node's misses.
  std::size_t max_idle_connections = 64;
  /// Largest body Herald reads whole where it cannot relay it piece by piece (the
  /// app's answer to an upgrade it refused). 8 MiB.
  std::size_t max_body_bytes = 8u << 20;
  /// Largest response stored in the cache (envelope included); larger ones are
  /// answered but not stored, and a body past this size is streamed to the client as
  /// it arrives (UpstreamBodyStream), not buffered. 1 MiB: keeps L1 (64 MiB) holding
  /// many entries.
  std::size_t max_object_bytes = 1u << 20;
  /// Lifetime of the per-URL record (Vary names, tags, pass). 24 h.
  std::chrono::milliseconds url_record_ttl{24 * 3'600'000};
  /// Keep Surrogate-Key / Cache-Tag on answers to clients (default: stripped).
  bool expose_tag_headers = false;
  /// `[[route]]` rules (validated by RouteTable::validate), first match wins.
  std::vector<RouteRule> routes;
};

}  // namespace herald::proxy
