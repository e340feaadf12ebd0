// Subscriber: a dedicated Pub/Sub connection (SUBSCRIBE, PSUBSCRIBE, SSUBSCRIBE).
//
// It remembers what its owner asked for and re-subscribes all of it after every
// reconnect. Messages published while it was disconnected are lost (that is Pub/Sub):
// the owner learns it through the state handler (disconnected, then resubscribed),
// its cue to fill the gap from history or to tell its own clients.
//
// Thread: every member is called on the subscriber's executor; handlers run there
// too, from the read loop, so they must be quick and must not block.
// redis+cluster:// URLs: SUBSCRIBE/PSUBSCRIBE go to one node (classic Pub/Sub
// reaches them all); each SSUBSCRIBE channel to the primary owning its slot, and
// it follows the slot when it moves (announced as disconnected, then resubscribed:
// see src/redis/cluster_subscriber.hpp).
// Cost: (un)subscribe calls made in the same turn of the event loop go out as one
// write; one SUBSCRIBE names many channels.
#pragma once

#include <herald/redis/config.hpp>
#include <herald/redis/error.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace herald::redis {

class ClusterSubscriber;
struct Reply;

struct PubSubMessage {
  enum class Kind { message, pmessage, smessage };
  Kind kind = Kind::message;
  std::string_view pattern;  ///< pmessage only
  std::string_view channel;
  std::string_view payload;  ///< views are valid during the handler call only
};

enum class SubscriberState {
  /// First connection is up and every subscription is confirmed.
  connected,
  /// The connection dropped; messages published from now on are missed.
  disconnected,
  /// Reconnected and every subscription is confirmed again: a gap happened between
  /// `disconnected` and now.
  resubscribed,
};

class Subscriber {
 public:
  using executor_type = boost::asio::any_io_executor;
  using MessageHandler = std::function<void(const PubSubMessage&)>;
  using StateHandler = std::function<void(SubscriberState)>;

  Subscriber(executor_type executor, ConnectionConfig config);
  ~Subscriber();
  Subscriber(const Subscriber&) = delete;
  Subscriber& operator=(const Subscriber&) = delete;

  void on_message(MessageHandler handler);
  void on_state(StateHandler handler);

  void start();
  void stop();

  void subscribe(const std::vector<std::string>& channels);
  void unsubscribe(const std::vector<std::string>& channels);
  void psubscribe(const std::vector<std::string>& patterns);
  void punsubscribe(const std::vector<std::string>& patterns);
  /// Sharded Pub/Sub (Redis 7+): SSUBSCRIBE / SPUBLISH.
  void ssubscribe(const std::vector<std::string>& channels);
  void sunsubscribe(const std::vector<std::string>& channels);

  /// Completes when the server has confirmed every (un)subscribe sent before the
  /// call (a PING round trip on the same socket). not_connected while down.
  boost::asio::awaitable<Result<void>> flush();

  boost::asio::awaitable<bool> wait_connected(std::chrono::milliseconds timeout);
  bool connected() const noexcept;
  /// Channels + patterns + shard channels currently wanted.
  std::size_t subscription_count() const noexcept;

  class Impl;

 private:
  friend class ClusterSubscriber;
  struct ClassicOnly {};
  /// One session to config's address even for a cluster URL (its seeds in turn):
  /// ClusterSubscriber's classic session and per-node sessions.
  Subscriber(executor_type executor, ConnectionConfig config, ClassicOnly);
  /// Error replies (-MOVED answering an SSUBSCRIBE) and `sunsubscribe` pushes.
  void on_control(std::function<void(const Reply&)> handler);

  std::shared_ptr<Impl> impl_;                  ///< one session (not a cluster URL)
  std::shared_ptr<ClusterSubscriber> cluster_;  ///< redis+cluster:// (impl_ is null)
};

}  // namespace herald::redis
