// AdminStatsFeed: this node's live figures for the admin console. Once a second it
// sums the shards' metrics, lists the channels with local subscribers (top by
// traffic), adds the cache/proxy figures (GatewayOptions::admin_figures), and
// publishes the snapshot on `herald:admin:stats:<node>` through the engine, where only
// admin sessions may subscribe (ChannelRules). Every admin_nodes_interval it writes
// its node figures to the engine's node registry (Redis: a key per node with an
// expiry) and reads every live node's back, so each snapshot lists the cluster.
// The snapshot's fields are in docs/protocol.md ("Admin console").
// Thread: shard 0 (run() and stop()). Cost per tick: O(shards + local channels), one
// publish; one registry write and read per nodes interval.
#pragma once

#include "gateway/metrics.hpp"
#include "gateway/shard.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace herald::gateway {

struct ServerContext;

class AdminStatsFeed {
 public:
  static constexpr std::chrono::seconds interval{1};
  /// Channels listed per snapshot (the busiest first); the page searches within them.
  static constexpr std::size_t max_channels = 200;

  explicit AdminStatsFeed(ServerContext& ctx);
  /// Publishes a snapshot every interval until stop() or shutdown. Shard 0.
  boost::asio::awaitable<void> run();
  void stop() { timer_.cancel(); }

  /// p-quantile (0..1) in ms of a latency histogram (per-bucket counts, last = +Inf),
  /// as the upper bound of the bucket it falls in; negative when the histogram is empty.
  static double quantile_ms(const std::array<std::uint64_t, latency_buckets.size() + 1>& counts,
                            double p);

 private:
  boost::asio::awaitable<std::vector<Shard::ChannelFigures>> gather_channels();
  boost::asio::awaitable<void> refresh_nodes(const std::string& own);
  std::string node_figures(const MetricsTotals& now, double seconds) const;

  ServerContext& ctx_;
  boost::asio::steady_timer timer_;
  MetricsTotals last_{};
  std::chrono::steady_clock::time_point last_at_;
  std::unordered_map<std::string, std::uint64_t> last_delivered_;
  std::vector<std::string> nodes_;  ///< live nodes' figures (JSON objects)
  std::chrono::steady_clock::time_point next_announce_{};
  double publications_per_s_ = 0;
  double deliveries_per_s_ = 0;
};

}  // namespace herald::gateway
