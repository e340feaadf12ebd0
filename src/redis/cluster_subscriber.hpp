// ClusterSubscriber: what a Subscriber is for a redis+cluster:// URL.
//
// Classic Pub/Sub (SUBSCRIBE, PSUBSCRIBE) reaches every node of a cluster, so it
// stays on one session to any node (the URL's seeds in turn; once that session has
// been down for kRenewClassic, a new one that may also use every primary the map
// knows). Sharded Pub/Sub does
// not: each shard channel is SSUBSCRIBEd on the primary owning its slot, through one
// Subscriber per primary (plain node URLs), placed by a ClusterClient's slot map.
// When a channel's slot moves (-MOVED answering an SSUBSCRIBE, or the server's own
// `sunsubscribe` when the slot migrated away) the channel is re-placed on the new
// owner. Publications sent in between reach no one, so the owner hears the usual
// pair of states: disconnected when the move is seen, resubscribed once every moved
// channel is confirmed on its new node: the Redis engine's gap checks (history fill
// or loss marker 3010) run as after any reconnect.
// States, over all sessions: connected once all are up the first time;
// disconnected when one drops (or channels move); resubscribed when all are up and
// no channel waits for a new home.
// flush() confirms on every session, and only once no channel is being moved.
//
// Thread: everything on the executor given to the constructor; handlers run there.
#pragma once

#include "redis/cluster_client.hpp"

#include <herald/redis/subscriber.hpp>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace herald::redis {

class ClusterSubscriber : public std::enable_shared_from_this<ClusterSubscriber> {
 public:
  ClusterSubscriber(Subscriber::executor_type executor, ConnectionConfig config);
  ~ClusterSubscriber();
  ClusterSubscriber(const ClusterSubscriber&) = delete;
  ClusterSubscriber& operator=(const ClusterSubscriber&) = delete;

  Subscriber::MessageHandler on_message_;
  Subscriber::StateHandler on_state_;

  void start();
  void stop();

  /// Classic Pub/Sub: the one session to any node.
  void subscribe(const std::vector<std::string>& channels, bool add);
  void psubscribe(const std::vector<std::string>& patterns, bool add);

  void ssubscribe(const std::vector<std::string>& channels);
  void sunsubscribe(const std::vector<std::string>& channels);

  boost::asio::awaitable<Result<void>> flush();
  boost::asio::awaitable<bool> wait_connected(std::chrono::milliseconds timeout);
  bool connected() const noexcept;
  std::size_t count() const noexcept;

 private:
  struct Node {
    std::unique_ptr<Subscriber> subscriber;
    bool up = false;
    bool ever_up = false;  ///< a node still making its first connection is not "down"
  };

  Node& node(const ClusterNode& n);
  void attach(Subscriber& s, const std::string& address);
  /// Puts the channels without a home on their owners (when the map knows them).
  void place_pending();
  /// Channels of `address` that must move (server sunsubscribe, -MOVED).
  void relocate(const std::string& address, const std::vector<std::string>& channels);
  void on_control(const std::string& address, const Reply& reply);
  /// SUNSUBSCRIBE channel on the node at address, remembering that we sent it.
  void unsubscribe_at(const std::string& address, const std::string& channel);
  void on_node_state(const std::string& address, SubscriberState state);
  void update_state();
  boost::asio::awaitable<void> placer(std::shared_ptr<ClusterSubscriber> self);
  /// Channels whose node is not the map's owner any more (after a failover) move.
  void reconcile();
  /// The classic session has been down a while and the map knows primaries its
  /// seeds do not: a new session that may use them too (the URL's seeds may all be
  /// gone after failovers), with the classic subscriptions replayed.
  void renew_classic();
  bool node_has_channels(const std::string& address) const;

  Subscriber::executor_type ex_;
  ConnectionConfig config_;
  std::shared_ptr<ClusterClient> map_;  ///< the slot map (a connection per primary)
  std::unique_ptr<Subscriber> classic_;
  bool classic_up_ = false;
  std::chrono::steady_clock::time_point classic_down_since_;
  std::vector<ClusterSeed> classic_seeds_;  ///< the addresses classic_ may connect to
  std::set<std::string> classic_channels_;  ///< replayed on a renewed session
  std::set<std::string> classic_patterns_;
  std::map<std::string, Node> nodes_;          ///< by "host:port"
  std::map<std::string, std::string> placed_;  ///< shard channel -> node address
  std::set<std::string> pending_;              ///< wanted, not (yet) placed
  std::set<std::string> moving_;  ///< lost their node; not yet confirmed on the new one
  /// SUNSUBSCRIBEs we sent and whose confirmation has not come back, by
  /// "address channel": any other `sunsubscribe` is the server's.
  std::map<std::string, int> own_unsubscribes_;
  bool ever_connected_ = false;
  bool reported_down_ = false;
  bool started_ = false;
  bool stopped_ = false;
  boost::asio::steady_timer wake_;  ///< cancelled to wake the placer
};

}  // namespace herald::redis
