// RedisEngine::Impl: the engine's state and coroutines, all on the engine thread.
// Split over redis_engine.cpp (lifecycle, publish, subscribe, history),
// redis_engine_feed.cpp (the live feed: ordering, gap fills, plain Pub/Sub),
// redis_engine_presence.cpp (presence, keepalive, control messages) and
// redis_engine_api.cpp (the public class: the hop to the engine thread).
#pragma once

#include <herald/realtime/redis_engine.hpp>
#include <herald/redis/connection.hpp>
#include <herald/redis/pool.hpp>
#include <herald/redis/request.hpp>
#include <herald/redis/subscriber.hpp>

#include "realtime/core/channel_feed.hpp"
#include "realtime/ingest_consumer.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace herald::realtime {

class RedisEngine::Impl : public std::enable_shared_from_this<Impl> {
 public:
  using executor_type = boost::asio::io_context::executor_type;

  Impl(RedisEngineOptions options, DeliverySink& sink);
  ~Impl();

  void start();
  /// Stops every Redis object and the thread; blocks until done (not from the
  /// engine thread). With an io_context not our own: only once release() ran.
  void stop();
  /// With options.context: stops and destroys every Redis object on the calling
  /// thread; that io_context's thread must have stopped. Idempotent.
  void release();
  /// Stops the Redis objects and cancels the timers (engine thread, or its owner's).
  void stop_io();
  executor_type executor() noexcept { return io_.get_executor(); }

  // Engine thread only. -----------------------------------------------------------
  boost::asio::awaitable<Result<StreamPosition>> publish(std::string channel, std::string data,
                                                         std::string event = {});
  /// The scripts of `batch` in one pipelined request on one connection (in order);
  /// one publish() after another with WAIT or on a cluster (keys of many slots).
  boost::asio::awaitable<std::vector<Result<StreamPosition>>> publish_batch(
      std::vector<PublishRequest> batch);
  boost::asio::awaitable<Result<SubscribeResult>> subscribe(std::string channel, std::size_t shard,
                                                            std::optional<StreamPosition> since);
  void unsubscribe(const std::string& channel, std::size_t shard);
  boost::asio::awaitable<Result<HistoryResult>> history(std::string channel,
                                                        std::optional<StreamPosition> since,
                                                        std::size_t limit);
  void presence_add(const std::string& channel, const std::string& client);
  void presence_remove(const std::string& channel, const std::string& client);
  boost::asio::awaitable<Result<std::size_t>> presence_count(std::string channel);
  boost::asio::awaitable<Result<void>> disconnect_user(std::string user);
  /// Admin console node registry (redis_layout::admin_nodes_key / admin_figures_key).
  boost::asio::awaitable<Result<void>> announce_node(std::string node, std::string figures,
                                                     std::chrono::milliseconds ttl);
  boost::asio::awaitable<Result<std::vector<std::string>>> live_nodes();
  boost::asio::awaitable<std::vector<std::int64_t>> history_lengths(
      std::vector<std::string> channels);

  bool ready() const noexcept { return ready_.load(std::memory_order_relaxed); }
  RedisEngineStats stats() const;
  /// The pool's Redis topology. Thread: any.
  redis::Topology topology() const { return pool_ ? pool_->topology() : redis::Topology{}; }
  const std::string& node_id() const noexcept { return options_.node_id; }

 private:
  /// One channel with local subscribers.
  struct Channel {
    Channel(std::string name, std::size_t shards)
        : feed(std::move(name), 10000), shard_subs(shards, 0) {}
    ChannelFeed feed;
    std::vector<std::uint32_t> shard_subs;
    std::size_t subscribers = 0;
    bool initializing = false;  ///< the first subscriber is reading the head
    bool dead = false;          ///< erased from channels_; coroutines holding it stop
    std::optional<boost::asio::steady_timer> init_done;  ///< cancelled when the head is known
  };
  using ChannelPtr = std::shared_ptr<Channel>;

  boost::asio::awaitable<void> run(std::shared_ptr<Impl> self);
  boost::asio::awaitable<bool> decide_pubsub_mode();
  boost::asio::awaitable<bool> read_head(ChannelPtr channel, std::string name);
  /// The channel's {offset, epoch} (the head script: creates the epoch if missing,
  /// refreshes the meta's expiry); nullopt when Redis failed.
  boost::asio::awaitable<std::optional<StreamPosition>> head_of(const std::string& channel);
  /// History offsets [from, to] (at most `count`) as publications of `epoch`;
  /// nullopt when Redis failed.
  boost::asio::awaitable<std::optional<std::vector<PublicationPtr>>> read_range(
      const std::string& channel, const std::string& epoch, std::uint64_t from, std::uint64_t to,
      std::size_t count);
  boost::asio::awaitable<void> fill(std::shared_ptr<Impl> self, ChannelPtr channel,
                                    std::string name, FillRequest request);
  boost::asio::awaitable<void> check_head(std::shared_ptr<Impl> self, ChannelPtr channel,
                                          std::string name);
  boost::asio::awaitable<void> tick_loop(std::shared_ptr<Impl> self);
  boost::asio::awaitable<void> touch_presence(std::shared_ptr<Impl> self);
  boost::asio::awaitable<void> keep_alive(std::shared_ptr<Impl> self);

  /// Fans a FeedStep out to the shards with subscribers and starts its fill.
  void apply(const ChannelPtr& channel, const std::string& name, FeedStep step);
  void on_message(const redis::PubSubMessage& message);
  void on_subscriber_state(redis::SubscriberState state);
  void on_plain(std::string_view channel, std::string_view data);
  void on_control(std::string_view payload);
  void want_feed(const std::string& name, bool subscribe);
  bool backend_up() const;
  /// Appends the publish script's EVALSHA (or, `eval`, its EVAL) for one publication
  /// to `request`. Engine thread; cost: one append per argument, three key names.
  void push_publish(redis::Request& request, bool eval, const std::string& channel,
                    std::string_view data, std::string_view event) const;
  /// The publish script's reply as a position (counted), or EngineError::internal.
  Result<StreamPosition> published(const std::string& channel, const redis::Reply& reply);
  std::optional<std::string> check_inbound(std::string_view channel, std::string_view data) const;

  RedisEngineOptions options_;
  DeliverySink& sink_;
  boost::asio::io_context own_io_{1};  ///< unused with options_.context
  boost::asio::io_context& io_;        ///< own_io_ or *options_.context
  std::optional<boost::asio::executor_work_guard<executor_type>> work_;
  std::thread thread_;
  std::future<void> ran_out_;  ///< ready when the thread's run() has returned

  // Optional so that release() can destroy them before an io_context not our own goes.
  std::optional<redis::Pool> pool_;
  std::optional<redis::Subscriber> subscriber_;
  std::optional<IngestConsumer> ingest_;
  std::optional<bool> sharded_;  ///< decided once connected (PubSub::automatic)
  std::unordered_map<std::string, ChannelPtr> channels_;
  /// channel -> connection id -> joins (a connection may join twice via rooms).
  std::unordered_map<std::string, std::unordered_map<std::string, unsigned>> presence_;
  std::optional<boost::asio::steady_timer> tick_timer_;
  bool stopping_ = false;
  bool released_ = false;
  bool presence_running_ = false;
  bool keepalive_running_ = false;

  std::atomic<bool> ready_{false};
  std::atomic<std::size_t> channel_count_{0};
  std::atomic<std::uint64_t> published_{0};
  std::atomic<std::uint64_t> delivered_{0};
  std::atomic<std::uint64_t> gaps_filled_{0};
  std::atomic<std::uint64_t> gaps_lost_{0};
  std::atomic<std::uint64_t> plain_{0};
  std::atomic<std::uint64_t> wait_short_{0};
  std::chrono::steady_clock::time_point wait_warned_{};  ///< last "WAIT short" log line
};

}  // namespace herald::realtime
