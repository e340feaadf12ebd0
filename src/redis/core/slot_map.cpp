// SlotMap: parsing CLUSTER SHARDS / CLUSTER SLOTS replies; see slot_map.hpp.
#include "redis/core/slot_map.hpp"

#include "redis/core/key_slot.hpp"

#include <algorithm>

namespace herald::redis {
namespace {

/// The value under `key` in a flat [k1, v1, k2, v2, ...] list, or nullptr.
const Reply* field(const Reply& map, std::string_view key) {
  for (std::size_t i = 0; i + 1 < map.elements.size(); i += 2) {
    const Reply& k = map.elements[i];
    if (k.is_string() && k.str == key) return &map.elements[i + 1];
  }
  return nullptr;
}

bool is_flat_map(const Reply& r) {
  if (!r.is_array() || r.elements.size() % 2 != 0) return false;
  for (std::size_t i = 0; i < r.elements.size(); i += 2)
    if (!r.elements[i].is_string()) return false;
  return true;
}

/// A port value (integer or decimal string) 1..65535, or 0.
std::uint16_t port_of(const Reply* r) {
  if (r == nullptr) return 0;
  auto v = r->as_integer();
  if (!v || *v < 1 || *v > 65535) return 0;
  return static_cast<std::uint16_t>(*v);
}

/// A host from the server, or the queried host when the server does not know it.
bool host_of(const Reply* r, std::string_view queried_host, std::string& out) {
  if (r != nullptr && !r->is_string() && !r->is_nil()) return false;
  std::string_view h = r != nullptr && r->is_string() ? std::string_view{r->str} : "";
  if (h.empty() || h == "?") h = queried_host;
  if (h.empty() || h.find_first_of(" \t\r\n[]") != std::string_view::npos) return false;
  out = std::string(h);
  return true;
}

}  // namespace

std::string ClusterNode::address() const {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

SlotMap::SlotMap() : owner_(kClusterSlots, kNone) {}

const ClusterNode* SlotMap::owner(std::uint16_t slot) const noexcept {
  if (slot >= kClusterSlots) return nullptr;
  const std::uint16_t i = owner_[slot];
  return i == kNone ? nullptr : &nodes_[i];
}

std::uint16_t SlotMap::index_of(const ClusterNode& node) {
  auto it = std::find(nodes_.begin(), nodes_.end(), node);
  if (it != nodes_.end()) return static_cast<std::uint16_t>(it - nodes_.begin());
  nodes_.push_back(node);
  return static_cast<std::uint16_t>(nodes_.size() - 1);
}

void SlotMap::assign(std::uint16_t slot, const ClusterNode& node) {
  if (slot >= kClusterSlots) return;
  if (owner_[slot] == kNone) ++covered_;
  owner_[slot] = index_of(node);
}

bool SlotMap::claim(long long start, long long end, std::uint16_t node) {
  if (start < 0 || end < start || end >= kClusterSlots) return false;
  for (long long s = start; s <= end; ++s) {
    if (owner_[static_cast<std::size_t>(s)] != kNone) return false;
    owner_[static_cast<std::size_t>(s)] = node;
    ++covered_;
  }
  return true;
}

Result<SlotMap> SlotMap::from_shards(const Reply& reply, std::string_view queried_host, bool tls) {
  if (!reply.is_array()) return Errc::unexpected_reply;
  SlotMap map;
  // At most one shard per 1 of 16384 slots plus slot-less ones: bound the node table
  // so that the 16-bit indexes (kNone excluded) cannot overflow.
  if (reply.elements.size() >= kNone) return Errc::unexpected_reply;
  for (const Reply& shard : reply.elements) {
    if (!is_flat_map(shard)) return Errc::unexpected_reply;
    const Reply* slots = field(shard, "slots");
    const Reply* nodes = field(shard, "nodes");
    if (slots == nullptr || nodes == nullptr || !slots->is_array() || !nodes->is_array() ||
        slots->elements.size() % 2 != 0)
      return Errc::unexpected_reply;
    std::vector<long long> ranges;
    for (const Reply& s : slots->elements) {
      auto v = s.as_integer();
      if (!v) return Errc::unexpected_reply;
      ranges.push_back(*v);
    }
    const ClusterNode* primary = nullptr;
    ClusterNode candidate;
    bool online = false;
    for (const Reply& node : nodes->elements) {
      if (!is_flat_map(node)) return Errc::unexpected_reply;
      const Reply* role = field(node, "role");
      if (role == nullptr || !role->is_string()) return Errc::unexpected_reply;
      if (role->str != "master") continue;
      ClusterNode n;
      const Reply* endpoint = field(node, "endpoint");
      if (endpoint == nullptr || (endpoint->is_string() && endpoint->str == "?"))
        endpoint = field(node, "ip");
      if (!host_of(endpoint, queried_host, n.host)) return Errc::unexpected_reply;
      n.port = tls ? port_of(field(node, "tls-port")) : 0;
      if (n.port == 0) n.port = port_of(field(node, "port"));
      if (n.port == 0) return Errc::unexpected_reply;
      const Reply* health = field(node, "health");
      const bool is_online = health == nullptr || (health->is_string() && health->str == "online");
      // Two masters in one shard only during a failover: prefer the healthy one.
      if (primary == nullptr || (is_online && !online)) {
        candidate = std::move(n);
        primary = &candidate;
        online = is_online;
      }
    }
    if (primary == nullptr || ranges.empty()) {
      // No master: validate the ranges, leave them uncovered. No slots (a failed
      // master replaced by its replica, a node not given slots yet): not a primary
      // that requests or SCANs need.
      for (std::size_t i = 0; i < ranges.size(); i += 2)
        if (ranges[i] < 0 || ranges[i + 1] < ranges[i] || ranges[i + 1] >= kClusterSlots)
          return Errc::unexpected_reply;
      continue;
    }
    const std::uint16_t index = map.index_of(*primary);
    for (std::size_t i = 0; i < ranges.size(); i += 2)
      if (!map.claim(ranges[i], ranges[i + 1], index)) return Errc::unexpected_reply;
  }
  return map;
}

Result<SlotMap> SlotMap::from_slots(const Reply& reply, std::string_view queried_host) {
  if (!reply.is_array() || reply.elements.size() >= kNone) return Errc::unexpected_reply;
  SlotMap map;
  for (const Reply& range : reply.elements) {
    if (!range.is_array() || range.elements.size() < 3) return Errc::unexpected_reply;
    auto start = range.elements[0].as_integer();
    auto end = range.elements[1].as_integer();
    const Reply& node = range.elements[2];
    if (!start || !end || !node.is_array() || node.elements.size() < 2)
      return Errc::unexpected_reply;
    ClusterNode n;
    if (!host_of(&node.elements[0], queried_host, n.host)) return Errc::unexpected_reply;
    n.port = port_of(&node.elements[1]);
    if (n.port == 0) return Errc::unexpected_reply;
    if (!map.claim(*start, *end, map.index_of(n))) return Errc::unexpected_reply;
  }
  return map;
}

}  // namespace herald::redis
