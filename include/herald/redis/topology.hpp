// Topology: what a Connection (or Pool) is talking to, for /metrics: the kind of
// deployment its URL names, the primary(ies) it uses now, and how many changes of
// primary it has seen (Sentinel master switches, cluster slots moved to another node).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace herald::redis {

struct Topology {
  enum class Kind { single, sentinel, cluster };

  Kind kind = Kind::single;
  /// "host:port" (IPv6 in brackets; the socket path for unix://) of each primary in
  /// use: the URL's server (single), the master last connected to and confirmed by
  /// ROLE (sentinel; empty before the first connect), the primaries of the slot map
  /// (cluster; empty before the first map). Bounded by the number of primaries.
  std::vector<std::string> primaries;
  /// Sentinel: switches to another master seen by this process for this URL (every
  /// connection of the URL shares them). Cluster: map refreshes and -MOVED replies
  /// of this client that gave slots to another node (a failover, a reshard). Single: 0.
  std::uint64_t changes = 0;
};

/// "single", "sentinel" or "cluster".
std::string_view to_string(Topology::Kind kind) noexcept;

}  // namespace herald::redis
