// Shard: one io_context run by one thread, and the connections pinned to it.
// It owns the shard-local subscription table (channel -> connections) used to fan a
// publication out to its local subscribers, and the registry of its connections
// (for graceful shutdown and disconnect-by-user). Everything except context(),
// start(), stop() and join() runs on the shard thread only, so nothing here locks.
#pragma once

#include <herald/realtime/publication.hpp>

#include "gateway/sse_event_cache.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace herald::gateway {

class Connection;
struct ShardMetrics;

class Shard {
 public:
  /// `write_delay`: how long schedule_write collects connections before their pass
  /// (0: the pass is posted at once).
  Shard(std::size_t index, ShardMetrics& metrics,
        std::chrono::milliseconds write_delay = std::chrono::milliseconds(0));
  ~Shard();

  std::size_t index() const noexcept { return index_; }
  boost::asio::io_context& context() noexcept { return context_; }
  ShardMetrics& metrics() noexcept { return metrics_; }

  /// Starts the thread running the io_context.
  void start();
  /// Lets the thread finish: drops the work guard and stops the io_context.
  void stop();
  void join();

  // Shard thread only. Cost: O(1) amortised; remove is O(subscribers of the channel).
  void add_subscriber(const std::string& channel, Connection* connection);
  void remove_subscriber(const std::string& channel, Connection* connection);
  /// Hands `publication` to every local subscriber of its channel, in call order.
  void deliver(const realtime::PublicationPtr& publication);

  /// Any thread: queues `publication` for deliver() on the shard thread. Deliveries
  /// run in exactly the order of these calls, whichever threads make them (a plain
  /// post() does not promise that: a post from the shard's own thread is held in a
  /// thread-private queue until its handler returns). Cost: one mutex; one post per
  /// batch of queued deliveries, no allocation once the inbox has grown.
  void enqueue_delivery(realtime::PublicationPtr publication);

  /// Shard thread: `connection` has frames to write. Its write_pending() runs once, in
  /// one posted pass with every connection scheduled until the pass runs (so the
  /// frames queued by the rest of the current handler, e.g. a whole fan-out, are in
  /// it). With a write delay the pass runs that long after the first connection was
  /// scheduled, so the frames of every publication meanwhile go in one send() per
  /// connection. Holds the connection until then. Cost: one post (or one timer wait)
  /// per pass, not per connection; the list's storage is kept between passes.
  void schedule_write(std::shared_ptr<Connection> connection);

  /// One channel with local subscribers, as the admin console lists it.
  struct ChannelFigures {
    std::string channel;
    std::size_t subscribers = 0;
    std::uint64_t delivered = 0;  ///< publications delivered here since it had subscribers
  };
  /// The channels with local subscribers. Shard thread only. Cost: O(channels).
  std::vector<ChannelFigures> channel_figures() const;

  void attach(Connection* connection) { connections_.insert(connection); }
  void detach(Connection* connection) { connections_.erase(connection); }
  /// Closes every connection (graceful shutdown) / those of `user` (HTTP API).
  void close_all(int code, std::string_view reason, bool reconnect);
  std::size_t close_user(const std::string& user, int code, std::string_view reason,
                         bool reconnect);
  /// Publish backpressure: takes the queues that have not drained for `stall` out of
  /// the queued-bytes gauge (Connection::exclude_if_stalled). Cost: O(connections).
  void exclude_stalled(std::chrono::steady_clock::duration stall);
  /// The SSE event of the publication being delivered, encoded once per shard.
  SseEventCache& sse_events() noexcept { return sse_events_; }

 private:
  std::size_t index_;
  ShardMetrics& metrics_;
  boost::asio::io_context context_{1};
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  std::thread thread_;
  std::mutex inbox_mutex_;                       // guards inbox_ and drain_posted_
  std::vector<realtime::PublicationPtr> inbox_;  // deliveries not yet drained, in order
  // The batch being drained (shard thread only); swapped with inbox_ so that the two
  // vectors' storage is reused instead of one allocation per drain.
  std::vector<realtime::PublicationPtr> draining_;
  bool drain_posted_ = false;
  struct LocalChannel {
    std::vector<Connection*> connections;
    std::uint64_t delivered = 0;  ///< for the admin console's messages/s
  };
  std::unordered_map<std::string, LocalChannel> subscribers_;
  // schedule_write: the connections of the next pass, and those of the running one.
  // After context_, so that at destruction they go while the io_context still exists.
  std::vector<std::shared_ptr<Connection>> writes_;
  std::vector<std::shared_ptr<Connection>> writing_;
  bool writes_posted_ = false;
  std::chrono::milliseconds write_delay_;
  boost::asio::steady_timer write_timer_{context_};  // the delayed pass (write_delay_ > 0)
  void write_pass();
  std::unordered_set<Connection*> connections_;
  SseEventCache sse_events_;
};

}  // namespace herald::gateway
