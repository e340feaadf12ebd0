// SubscriptionFlow: the channel side of one real-time connection, shared by every
// transport (WebSocket, SSE, Socket.IO): its subscriptions (subscribe with recovery,
// unsubscribe, all of them on close), its bounded send queue with the slow-consumer
// rule, and the metrics of the batches its writer sends. The transport keeps only
// what is its own: how a frame is encoded and how bytes reach the socket.
//
// Thread: the connection's shard thread only. Contract: the owner calls release()
// once when the connection ends (before it is destroyed). Cost: a few pointers plus
// the SubscriptionSet and SendQueue (no allocation while idle).
#pragma once

#include <herald/gateway/channel_rules.hpp>
#include <herald/realtime/publication.hpp>

#include "gateway/send_queue.hpp"
#include "gateway/subscription_set.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace herald::gateway {

struct ServerContext;
class Shard;
class Connection;
struct ShardMetrics;

class SubscriptionFlow {
 public:
  /// What subscribe() ended with: code 0 and the position (plus what to send after
  /// the transport's reply, oldest first), or an error code and message.
  struct Outcome {
    int code = 0;
    std::string message;
    realtime::StreamPosition position;
    bool recovered = false;
    std::vector<realtime::PublicationPtr> pending;
  };

  /// `owner` is closed (3008, "slow consumer", reconnect) when its queue overflows;
  /// `transport` names it in log lines ("ws", "sse", "socket.io").
  SubscriptionFlow(ServerContext& ctx, Shard& shard, Connection& owner, std::string_view transport);

  /// The whole subscribe: name, permission and cap checks, local registration first
  /// (racing deliveries are buffered), engine subscribe with recovery from `since`,
  /// presence, metrics. Suspends once (engine call).
  boost::asio::awaitable<Outcome> subscribe(const std::string& channel,
                                            std::optional<realtime::StreamPosition> since,
                                            const Identity& who);
  /// Leaves one channel (no-op if not subscribed). Never suspends.
  void unsubscribe(const std::string& channel);
  /// Leaves every channel: the connection is over.
  void release();

  /// True if `p` must be sent now (SubscriptionSet::accept).
  bool accept(const realtime::PublicationPtr& p) { return subs_.accept(p); }
  bool subscribed(const std::string& channel) const { return subs_.contains(channel); }

  /// Queues a frame; on overflow counts a slow consumer, logs, empties the queue,
  /// closes the owner (whose disconnect notice goes through push_final) and returns
  /// false. Cost: O(1).
  bool push(OutboundFrame frame);
  /// Queues the last frame (a disconnect notice): if the queue is full, it replaces
  /// what is queued.
  void push_final(OutboundFrame frame);

  SendQueue& queue() noexcept { return queue_; }
  /// Counts a written batch: frames, bytes and publish-to-write latency.
  void record_written(const std::vector<OutboundFrame>& batch, std::size_t bytes) const;

  const std::string& id() const noexcept;
  ShardMetrics& metrics() const noexcept;

 private:
  ServerContext& ctx_;
  Shard& shard_;
  Connection& owner_;
  std::string_view transport_;
  SendQueue queue_;
  SubscriptionSet subs_;
};

}  // namespace herald::gateway
