// Engine: where publications get their offsets, history and presence live, and from
// where they are fanned out to the gateway's shards. `memory` (one process) and
// `redis` (many nodes) implement it; the gateway sees only this interface.
//
// Ordering contract every engine keeps: for one channel, DeliverySink::deliver() is
// called in strictly increasing offset order, never concurrently for the same
// channel, so a shard that processes its deliveries in FIFO order delivers in
// publish order.
//
// Recovery contract: subscribe() registers the shard's interest and reads the history
// atomically with respect to publishes on that channel: every publication with an
// offset above the returned position.offset is delivered to that shard, and every
// one at or below it is either in `missed` (when recovered) or was published before.
// Deliveries with offset <= position.offset may still arrive (queued before the
// subscribe); the subscriber drops them by offset.
#pragma once

#include <herald/realtime/engine_error.hpp>
#include <herald/realtime/publication.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/system/result.hpp>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace herald::realtime {

template <typename T>
using Result = boost::system::result<T>;

/// Receives publications for a shard (implemented by the gateway: it posts them to
/// the shard's io_context). Called on the publisher's thread with the channel's
/// ordering guarantee above; must not block.
class DeliverySink {
 public:
  virtual ~DeliverySink() = default;
  virtual void deliver(std::size_t shard, const PublicationPtr& publication) = 0;
  /// Closes every local connection of `user` (4003, no reconnect). Any thread.
  virtual void disconnect_user(const std::string& user) = 0;
  /// An io_context on which an engine that does I/O may run instead of on a thread of
  /// its own, so that the gateway's calls and the deliveries cross no thread: the
  /// gateway's only shard's (nullptr with several shards, or none). Its thread runs
  /// it until the gateway calls Engine::shutdown(); it outlives the engine's I/O.
  virtual boost::asio::io_context* engine_context() noexcept { return nullptr; }
};

struct SubscribeResult {
  StreamPosition position;             ///< latest offset of the channel, its epoch
  bool recovered = false;              ///< `since` was given and history covers it
  std::vector<PublicationPtr> missed;  ///< after `since`, oldest first (if recovered)
};

/// One publication of Engine::publish_batch().
struct PublishRequest {
  std::string channel;
  std::string data_json;   ///< valid JSON (callers validate)
  std::string event = {};  ///< Publication::event ("" = `message`; callers validate)
};

struct HistoryResult {
  StreamPosition position;
  std::vector<PublicationPtr> messages;  ///< oldest first
};

class Engine {
 public:
  virtual ~Engine() = default;

  /// The gateway's threads have stopped (joined) and their io_contexts still exist:
  /// an engine running on DeliverySink::engine_context() stops its work and destroys
  /// its I/O objects now, before that io_context goes. Idempotent; afterwards calls
  /// do nothing or fail. Default: nothing (engines with a thread of their own).
  virtual void shutdown() noexcept {}

  /// Assigns the next offset, stores the publication in history and fans it out.
  /// `data_json` must be valid JSON, `event` a valid event name or "" for the
  /// default (callers validate; see Publication::event). Overrides keep the default.
  virtual boost::asio::awaitable<Result<StreamPosition>> publish(std::string channel,
                                                                 std::string data_json,
                                                                 std::string event = {}) = 0;

  /// Publishes `batch` in order, each exactly as publish() would (one result each, in
  /// the same order; one failing does not stop the others). An engine may send them
  /// together: the Redis engine pipelines the scripts in one request. Default: one
  /// publish() after another.
  virtual boost::asio::awaitable<std::vector<Result<StreamPosition>>> publish_batch(
      std::vector<PublishRequest> batch) {
    std::vector<Result<StreamPosition>> out;
    out.reserve(batch.size());
    for (PublishRequest& p : batch) {
      out.push_back(
          co_await publish(std::move(p.channel), std::move(p.data_json), std::move(p.event)));
    }
    co_return out;
  }

  /// Registers one subscriber on `shard` for `channel` (counted: call unsubscribe
  /// once per successful subscribe) and reads the recovery window (see above).
  virtual boost::asio::awaitable<Result<SubscribeResult>> subscribe(
      std::string channel, std::size_t shard, std::optional<StreamPosition> since) = 0;
  /// Drops one subscriber registered by subscribe(). Never fails; never suspends.
  virtual void unsubscribe(std::string_view channel, std::size_t shard) = 0;

  /// With `since`: the first `limit` messages after it; without: the latest `limit`.
  virtual boost::asio::awaitable<Result<HistoryResult>> history(std::string channel,
                                                                std::optional<StreamPosition> since,
                                                                std::size_t limit) = 0;

  /// Presence: one entry per connection (`client` id) present in `channel`.
  virtual void presence_add(std::string_view channel, std::string_view client) = 0;
  virtual void presence_remove(std::string_view channel, std::string_view client) = 0;
  virtual boost::asio::awaitable<Result<std::size_t>> presence_count(std::string channel) = 0;

  /// Disconnects `user`'s connections on every node (POST /api/disconnect): this
  /// node's at once, the others' through the engine. unavailable when the other nodes
  /// could not be told (this node's are closed all the same).
  virtual boost::asio::awaitable<Result<void>> disconnect_user(std::string user) = 0;

  /// Node registry for the admin console: stores this node's figures (a JSON object,
  /// `node` its id) for `ttl`, refreshed by the caller every third of it or so, so a
  /// node that died drops out on its own. Default (one process): nothing to share.
  virtual boost::asio::awaitable<Result<void>> announce_node(std::string node,
                                                             std::string figures_json,
                                                             std::chrono::milliseconds ttl) {
    (void)node, (void)figures_json, (void)ttl;
    co_return Result<void>{};
  }
  /// The figures every live node announced (this one's included once it announced);
  /// default: none (the caller shows its own).
  virtual boost::asio::awaitable<Result<std::vector<std::string>>> live_nodes() {
    co_return std::vector<std::string>{};
  }

  /// History length of each of `channels` (the admin console's channel table), in
  /// their order; -1 where unknown. Default: unknown for all. Cost: the Redis engine
  /// asks one XLEN per channel, one after another on its own thread.
  virtual boost::asio::awaitable<std::vector<std::int64_t>> history_lengths(
      std::vector<std::string> channels) {
    co_return std::vector<std::int64_t>(channels.size(), -1);
  }

  /// False while the backend is unreachable (/readyz answers 503).
  virtual bool ready() const noexcept = 0;
  /// Engine name for logs and metrics ("memory", "redis").
  virtual std::string_view name() const noexcept = 0;
};

}  // namespace herald::realtime
