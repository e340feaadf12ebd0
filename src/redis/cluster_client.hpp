// ClusterClient: what a Connection is for a redis+cluster:// URL: a Pool per node
// (per_node connections each), the slot map, and the routing of every Request to
// the primary that owns its key's slot (RequestRoute), with the redirections of the
// Redis Cluster specification handled:
//   -MOVED: the map takes the slot's new owner, a full refresh is scheduled, and the
//           request is sent again there, once;
//   -ASK:   ASKING + the request to the named node, once (the map does not change);
//   a request that fails with not_connected / connection_lost / timeout schedules a
//   refresh (a primary may have failed over) and returns its error: callers fail
//   open.
// Keyless requests go to one primary (rotating); SCRIPT, FLUSHALL, FLUSHDB and
// FUNCTION to every primary (the first error wins, else the first primary's
// replies). A request whose commands name keys of several slots is routed by the
// first and not retried (commands of other slots come back -MOVED).
// The map comes from CLUSTER SHARDS (CLUSTER SLOTS when the server has no SHARDS),
// asked of the known primaries, then of the URL's seeds, in turn; it is refreshed
// at start, after MOVED and connection errors (at most every refresh_interval), and
// every kPeriodicRefresh while idle, so a failover with no traffic is noticed too.
//
// Thread: every member on the executor given to the constructor (as Connection).
// Lifetime: shared; the refresher coroutine holds it until stop(). Node pools are
// added, never removed, until stop(): references to them stay valid.
#pragma once

#include "redis/core/slot_map.hpp"

#include <herald/redis/connection.hpp>
#include <herald/redis/pool.hpp>
#include <herald/redis/topology.hpp>

#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace herald::redis {

class ClusterClient : public std::enable_shared_from_this<ClusterClient> {
 public:
  using executor_type = Connection::executor_type;

  /// After this long without a refresh, the map is asked for again.
  static constexpr std::chrono::seconds kPeriodicRefresh{10};
  /// At most one refresh per this interval (MOVED storms during a reshard).
  static constexpr std::chrono::milliseconds kMinRefreshInterval{100};

  ClusterClient(executor_type executor, ConnectionConfig config, std::size_t per_node);
  ~ClusterClient();
  ClusterClient(const ClusterClient&) = delete;
  ClusterClient& operator=(const ClusterClient&) = delete;

  void start();
  void stop();

  boost::asio::awaitable<Result<std::vector<Reply>>> exec_all(const Request& request);
  /// True once the map is known and every primary it names has a connection up.
  boost::asio::awaitable<bool> wait_connected(std::chrono::milliseconds timeout);
  bool connected() const noexcept;
  std::size_t in_flight() const noexcept;
  /// The node pools' counters, summed.
  const ConnectionStats& stats() noexcept;
  const executor_type& executor() const noexcept { return ex_; }

  /// One connection handle per primary of the current map (empty before the first
  /// map): for what must visit every node, such as SCAN.
  std::vector<Connection> primaries();

  /// Asks for the map now and waits for the answer; false when no node gave one.
  boost::asio::awaitable<bool> refresh();
  /// Schedules a refresh (at most one per kMinRefreshInterval).
  void request_refresh();

  /// The primary owning `slot` in the current map, nullopt before the first map or
  /// for an uncovered slot.
  std::optional<ClusterNode> owner(std::uint16_t slot) const;
  /// A -MOVED seen elsewhere (the Pub/Sub sessions): the slot's owner is `node`; a
  /// refresh is scheduled.
  void moved(std::uint16_t slot, const ClusterNode& node);
  bool has_map() const noexcept { return have_map_; }
  /// The primaries of the current map (empty before the first).
  const std::vector<ClusterNode>& primaries_known() const noexcept { return map_.primaries(); }
  /// Kind cluster, the current map's primaries, and the map refreshes and -MOVED
  /// replies that gave slots to another node. Thread: any (a snapshot under a lock,
  /// taken at every map change).
  Topology topology() const;

 private:
  Pool& node(const ClusterNode& node);
  Pool* any_primary();
  /// primary_pools_ and the topology snapshot from map_ (after a refresh or a MOVED).
  void map_changed();
  /// `slot` is owned by a node other than `to` in the current map.
  bool moves_to_another(std::uint16_t slot, const ClusterNode& to) const;
  boost::asio::awaitable<void> refresher(std::shared_ptr<ClusterClient> self);
  boost::asio::awaitable<bool> refresh_from(Pool& pool, const std::string& host);
  boost::asio::awaitable<Result<std::vector<Reply>>> exec_everywhere(const Request& request);
  /// After a node's answer: a dead or hung primary (not connected, connection lost,
  /// timeout) asks for a map refresh, since the cluster may be promoting its replica.
  /// Inline at each call site rather than a wrapping coroutine: a coroutine frame per
  /// request is what the cluster path costs over a single server.
  void refresh_if_down(const Result<std::vector<Reply>>& replies);

  executor_type ex_;
  ConnectionConfig config_;
  std::size_t per_node_;
  std::map<std::string, std::unique_ptr<Pool>> pools_;  ///< by "host:port"
  SlotMap map_;
  bool have_map_ = false;
  bool stopped_ = false;
  bool started_ = false;
  bool refresh_wanted_ = false;
  std::size_t next_any_ = 0;
  bool idle_ = false;                         ///< the refresher is in its long periodic wait
  std::vector<Pool*> primary_pools_;          ///< map_.primaries()' pools, in order
  boost::asio::steady_timer refresh_signal_;  ///< cancelled to wake an idle refresher
  ConnectionStats stats_;                     ///< this client's own counts (rejected without a map)
  ConnectionStats aggregate_;                 ///< what stats() returned last
  mutable std::mutex topology_mutex_;
  Topology topology_;             ///< the snapshot topology() returns (under topology_mutex_)
  std::uint64_t slot_moves_ = 0;  ///< map changes that gave slots to another node
};

}  // namespace herald::redis
