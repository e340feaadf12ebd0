// WebSocketWriter: the write side of a WebSocket connection, shared by the native
// protocol (/ws, websocket_session.cpp) and Socket.IO's WebSocket transport
// (socketio_session.cpp). It sends what the connection's SendQueue holds in batches:
// each batch is corked, written message by message through Beast (which frames
// them) and flushed as one socket write; then it is counted (frames, bytes,
// publish-to-write latency: SubscriptionFlow::record_written).
//
// Publish backpressure: a batch's bytes stay in the queued-bytes gauge until the
// socket took all of them (SendQueue::take / release_taken), and every partial write
// meanwhile tells the queue that it is moving (SendQueue::progressed). A reader that
// is slow but reading therefore stays counted however long one flush takes through a
// small socket buffer; only a queue that has not moved for ServerContext::
// stalled_after (its reader stopped) leaves the total.
//
// Thread: the connection's shard thread. Contract: one drain() at a time per
// connection (the session's writer flag), and the stream, the flow and `stop` outlive
// it (the session's writer coroutine holds the session). Cost: made on the writer
// coroutine's frame, so an idle connection holds nothing of it; per batch one
// allocation for the batch (up to max_batch frames), one memcpy per frame into the
// stream's buffer, one socket write (more when the socket buffer is smaller than the
// batch) and one clock read per partial write.
#pragma once

#include "gateway/websocket_transport.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>

#include <cstddef>

namespace herald::gateway {

class SubscriptionFlow;

class WebSocketWriter {
 public:
  /// Frames taken from the queue per batch (one socket write): bounds the time one
  /// connection holds the shard between yields.
  static constexpr std::size_t max_batch = 256;

  WebSocketWriter(ws::Stream& stream, SubscriptionFlow& flow) noexcept
      : stream_(stream), flow_(flow) {}

  /// Writes the queued frames, batch after batch, until the queue is empty, `stop` is
  /// true (checked between batches) or a write fails: that error (the connection is
  /// then dead; the frames of the failed batch are dropped).
  boost::asio::awaitable<boost::system::error_code> drain(const bool& stop);

 private:
  ws::Stream& stream_;
  SubscriptionFlow& flow_;
};

}  // namespace herald::gateway
