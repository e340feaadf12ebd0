// Connection: what a shard knows of a live WebSocket or SSE client. Every method
// runs on the connection's shard thread only; the shard holds raw pointers that the
// connection removes (Shard::detach, Shard::remove_subscriber) before it dies, and
// shared ones only until its write pass ran (Shard::schedule_write).
#pragma once

#include <herald/realtime/publication.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

namespace herald::gateway {

class Connection {
 public:
  virtual ~Connection() = default;
  /// A publication on a channel this connection subscribed to. Must not block.
  virtual void on_publication(const realtime::PublicationPtr& publication) = 0;
  /// Sends a `disconnect` frame (code, reason, reconnect) and closes. Idempotent.
  virtual void close(int code, std::string_view reason, bool reconnect) = 0;
  /// Publish backpressure: takes this connection's queued bytes out of the shard's
  /// gauge if its queue has not drained for `stall` (SendQueue::exclude_if_stalled).
  virtual void exclude_if_stalled(std::chrono::steady_clock::time_point now,
                                  std::chrono::steady_clock::duration stall) noexcept = 0;
  /// The shard's write pass (Shard::schedule_write) reached this connection: write
  /// what it queued. Transports that never schedule one keep this no-op.
  virtual void write_pending() {}
  virtual const std::string& id() const noexcept = 0;
  virtual const std::string& user() const noexcept = 0;
};

}  // namespace herald::gateway
