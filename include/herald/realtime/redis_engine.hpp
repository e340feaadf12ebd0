// RedisEngine: the Engine for many nodes (protocol.md section 4, engine `redis`).
// Every node publishes through Redis and receives from it, so N nodes behind a load
// balancer act as one; Herald adds no clustering of its own.
//
// - Publish: one Lua script increments the channel's offset, XADDs the stream
//   (MAXLEN ~ history_size), refreshes expiry and PUBLISHes (or SPUBLISHes) the feed
//   message carrying offset and epoch, so no subscriber sees what history lacks.
// - Fan-out: one (S)SUBSCRIBE per channel with local subscribers, dropped with the
//   last one. Each channel's feed runs through a ChannelFeed: in order, gaps filled
//   from history or reported as lost (3010 to the affected clients).
// - Presence: a sorted set per channel scored by expiry, refreshed by the nodes that
//   hold the connections, so a dead node's entries expire on their own.
// - Ingestion: `herald:ingest` through a consumer group (IngestConsumer) and plain
//   `PUBLISH ws:<channel>` messages (at most once, no history).
//
// Thread: the engine runs on RedisEngineOptions::context when given (the gateway's
// only shard: DeliverySink::engine_context()), else on an io_context thread of its
// own; every Redis object lives there. The Engine methods may be called from any
// thread: awaitables hop to the engine's io_context and resume the caller on its own
// executor; the synchronous ones post.
#pragma once

#include <herald/realtime/engine.hpp>
#include <herald/realtime/engine_defaults.hpp>
#include <herald/redis/config.hpp>
#include <herald/redis/topology.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace herald::realtime {

struct RedisEngineOptions {
  redis::ConnectionConfig redis;
  std::size_t shards = 1;  ///< gateway shards DeliverySink::deliver() can see
  /// History size of a channel (ChannelRules::history_size); 0 keeps no stream.
  std::function<std::size_t(std::string_view)> history_size = [](std::string_view) {
    return defaults::history_size;
  };
  /// Stream and meta expiry after the last publish (nodes with subscribers keep the
  /// meta, and so the epoch, alive).
  std::chrono::milliseconds history_ttl{defaults::history_ttl};
  using PubSub = PubSubMode;
  PubSub pubsub = PubSub::automatic;
  /// Command connections. 2: publishes pipeline well on one socket; a second one
  /// spreads the kernel work and keeps a slow history read from delaying publishes.
  std::size_t pool_size = 2;
  /// Presence entries live this long unless their node refreshes them (every third of
  /// it): defaults::presence_ttl.
  std::chrono::milliseconds presence_ttl{defaults::presence_ttl};
  /// Consume `herald:ingest` (off: this node only serves WebSockets).
  bool ingest = true;
  /// An ingest entry pending this long with its consumer is presumed abandoned (its
  /// node died) and claimed by another: defaults::ingest_claim_idle.
  std::chrono::milliseconds ingest_claim_idle{defaults::ingest_claim_idle};
  /// Failed deliveries of one entry before it moves to `herald:ingest:dead`. 5: a
  /// Redis blip costs one or two; five means the entry itself is bad.
  unsigned ingest_max_attempts = 5;
  /// Validates inbound publications (ingest, ws:*) like POST /api/publish does:
  /// returns why one is refused, or nullopt. Data is checked as JSON by the engine.
  std::function<std::optional<std::string>(std::string_view channel)> check_channel;
  /// This node's name in the consumer group and in control messages (random if empty).
  std::string node_id;
  /// Replicas that must acknowledge a publication before publish() returns: `WAIT n
  /// wait_replicas_timeout` sent with the publish script, on its connection (and, on a
  /// cluster, to the primary that ran it). 0: no WAIT (asynchronous replication).
  /// A WAIT that times out short of n still returns the position (the write stands
  /// on the primary; an error would make callers publish twice) and is counted in
  /// RedisEngineStats::wait_short.
  unsigned wait_replicas = 0;
  /// WAIT's timeout. 1 s: a replica's ack normally takes one round trip; past that the
  /// replica is lagging or gone, and publishes must not stall behind it.
  std::chrono::milliseconds wait_replicas_timeout{1000};
  /// Run here instead of on a thread of the engine's own (nullptr). With one gateway
  /// shard, its io_context: a publish and its deliveries then cost no cross-thread
  /// wake-ups (S3 in docs/benchmarks.md, issue 14 step 7). One thread must run it;
  /// shutdown() must be called once that thread has stopped and before the io_context
  /// is destroyed.
  boost::asio::io_context* context = nullptr;
};

/// Counters for /metrics (read from any thread).
struct RedisEngineStats {
  std::size_t channels = 0;         ///< channels with local subscribers
  std::uint64_t published = 0;      ///< publish scripts that succeeded
  std::uint64_t delivered = 0;      ///< feed messages handed to the shards
  std::uint64_t gaps_filled = 0;    ///< jumps in a feed filled from history
  std::uint64_t gaps_lost = 0;      ///< jumps history could not fill (3010 sent)
  std::uint64_t ingested = 0;       ///< herald:ingest entries published and acked
  std::uint64_t dead_lettered = 0;  ///< entries moved to herald:ingest:dead
  std::uint64_t plain = 0;          ///< ws:* messages delivered
  std::uint64_t wait_short = 0;     ///< publishes whose WAIT saw fewer than wait_replicas acks
};

class RedisEngine final : public Engine {
 public:
  /// Starts the engine thread (unless options.context) and connects (in the
  /// background: ready() tells when). `sink` must outlive the engine.
  RedisEngine(RedisEngineOptions options, DeliverySink& sink);
  ~RedisEngine() override;
  RedisEngine(const RedisEngine&) = delete;
  RedisEngine& operator=(const RedisEngine&) = delete;

  boost::asio::awaitable<Result<StreamPosition>> publish(std::string channel, std::string data_json,
                                                         std::string event = {}) override;
  boost::asio::awaitable<std::vector<Result<StreamPosition>>> publish_batch(
      std::vector<PublishRequest> batch) override;
  boost::asio::awaitable<Result<SubscribeResult>> subscribe(
      std::string channel, std::size_t shard, std::optional<StreamPosition> since) override;
  void unsubscribe(std::string_view channel, std::size_t shard) override;
  boost::asio::awaitable<Result<HistoryResult>> history(std::string channel,
                                                        std::optional<StreamPosition> since,
                                                        std::size_t limit) override;
  void presence_add(std::string_view channel, std::string_view client) override;
  void presence_remove(std::string_view channel, std::string_view client) override;
  boost::asio::awaitable<Result<std::size_t>> presence_count(std::string channel) override;
  boost::asio::awaitable<Result<void>> disconnect_user(std::string user) override;
  boost::asio::awaitable<Result<void>> announce_node(std::string node, std::string figures_json,
                                                     std::chrono::milliseconds ttl) override;
  boost::asio::awaitable<Result<std::vector<std::string>>> live_nodes() override;
  boost::asio::awaitable<std::vector<std::int64_t>> history_lengths(
      std::vector<std::string> channels) override;
  bool ready() const noexcept override;
  /// With options.context: stops and destroys every Redis object, on the calling
  /// thread (the context's thread has stopped). Otherwise nothing (the destructor
  /// stops the engine's own thread).
  void shutdown() noexcept override;
  std::string_view name() const noexcept override { return "redis"; }

  RedisEngineStats stats() const;
  /// The Redis deployment the engine uses: kind, primary(ies) now, changes seen.
  redis::Topology topology() const;
  /// Prometheus text of stats() and topology() (herald_engine_*).
  std::string prometheus() const;
  const std::string& node_id() const noexcept;

  class Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace herald::realtime
