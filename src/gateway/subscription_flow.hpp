// SubscriptionFlow: the channel side of one real-time connection, shared by every
// transport (WebSocket, SSE, Socket.IO): its subscriptions (subscribe with recovery,
// unsubscribe, all of them on close), its bounded send queue with the slow-consumer
// rule, the metrics of the batches its writer sends, and the connection's lifecycle
// record: open, the reason it ended (herald_disconnects_total, once per connection)
// and the connection_open / subscribe / connection_close log events. The transport keeps only
// what is its own: how a frame is encoded and how bytes reach the socket.
//
// Thread: the connection's shard thread only. Contract: the owner calls opened() once
// when the connection starts and release() once when it ends (before it is
// destroyed); its close() calls closing(). Cost: a few pointers, a time point plus
// the SubscriptionSet and SendQueue (no allocation while idle).
#pragma once

#include <herald/gateway/channel_rules.hpp>
#include <herald/realtime/publication.hpp>

#include "gateway/disconnect_reason.hpp"
#include "gateway/send_queue.hpp"
#include "gateway/subscription_set.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
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
  /// `transport` names it in log lines ("ws", "sse", "socketio").
  SubscriptionFlow(ServerContext& ctx, Shard& shard, Connection& owner, std::string_view transport);

  /// The whole subscribe: name, permission and cap checks, local registration first
  /// (racing deliveries are buffered), engine subscribe with recovery from `since`,
  /// presence, metrics. Suspends once (engine call).
  boost::asio::awaitable<Outcome> subscribe(const std::string& channel,
                                            std::optional<realtime::StreamPosition> since,
                                            const Identity& who);
  /// Leaves one channel (no-op if not subscribed). Never suspends.
  void unsubscribe(const std::string& channel);
  /// The connection started (handshake done): counted, timed, logged (connection_open
  /// with `remote`, the peer's address, and the user when already known).
  void opened(std::string_view remote);
  /// The server decided to close the connection (the owner's close(code, text)):
  /// the first decision names the reason (classify_close) and counts the disconnect.
  void closing(int code, std::string_view text);
  /// Same with the reason given, for closes that do not go through close().
  void closing(DisconnectReason reason, int code);
  /// Leaves every channel: the connection is over. Unless closing() named a reason,
  /// it ended as `otherwise` (the peer closed or went away: client; or timeout) with
  /// the peer's close code `peer_code` (0: none). Logs connection_close.
  void release(DisconnectReason otherwise = DisconnectReason::client, int peer_code = 0);

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
  std::chrono::steady_clock::time_point opened_at_{};
  std::int32_t close_code_ = 0;
  DisconnectReason reason_ = DisconnectReason::client;
  bool decided_ = false;  ///< reason_ is set and counted
  SendQueue queue_;
  SubscriptionSet subs_;
};

}  // namespace herald::gateway
