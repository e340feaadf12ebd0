// SlotMap: which primary of a Redis Cluster owns each of the 16384 hash slots, read
// from `CLUSTER SHARDS` (Redis 7) or `CLUSTER SLOTS` (older servers), and patched
// slot by slot after a `-MOVED`. Sans-io: built from Reply trees, no sockets.
//
// Addresses: a node's `endpoint` (CLUSTER SHARDS) or first field (CLUSTER SLOTS);
// an unknown one ("?" or "", a node that does not know its own address) is the host
// the map was asked of. Over TLS the `tls-port` is used when the server lists one.
// Thread: a plain value; copy it or guard it like any other.
// Cost: the map is 32 KiB (one 16-bit node index per slot); owner() is O(1).
#pragma once

#include <herald/redis/error.hpp>
#include <herald/redis/reply.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace herald::redis {

/// One primary's address.
struct ClusterNode {
  std::string host;
  std::uint16_t port = 0;

  /// "host:port" (IPv6 hosts in brackets), the key nodes are told apart by.
  std::string address() const;
  bool operator==(const ClusterNode&) const = default;
};

class SlotMap {
 public:
  SlotMap();

  /// From the reply of CLUSTER SHARDS. Errc::unexpected_reply for any shape other
  /// than shards of key/value lists with well-formed slot ranges (0..16383, start <=
  /// end, no slot owned twice) and nodes with an address and a port 1..65535.
  /// A shard without a master (mid-failover) leaves its slots uncovered; a shard
  /// without slots (a dead master after its replica took over) is left out.
  static Result<SlotMap> from_shards(const Reply& reply, std::string_view queried_host, bool tls);
  /// From the reply of CLUSTER SLOTS ([start, end, [host, port, id...], replicas...]).
  static Result<SlotMap> from_slots(const Reply& reply, std::string_view queried_host);

  /// The primary owning `slot` (0..16383), or nullptr when no primary covers it.
  const ClusterNode* owner(std::uint16_t slot) const noexcept;
  /// Moves one slot to `node` (after -MOVED), adding the node when it is new.
  void assign(std::uint16_t slot, const ClusterNode& node);

  /// Every primary that owns slots (plus any assign() added), in order of appearance.
  const std::vector<ClusterNode>& primaries() const noexcept { return nodes_; }
  /// Slots that have an owner.
  std::size_t covered() const noexcept { return covered_; }
  bool empty() const noexcept { return nodes_.empty(); }

 private:
  static constexpr std::uint16_t kNone = 0xffff;

  /// Index of `node` in nodes_, added when missing.
  std::uint16_t index_of(const ClusterNode& node);
  /// Assigns start..end to node index; false when a slot is already owned.
  bool claim(long long start, long long end, std::uint16_t node);

  std::vector<ClusterNode> nodes_;
  std::vector<std::uint16_t> owner_;
  std::size_t covered_ = 0;
};

}  // namespace herald::redis
