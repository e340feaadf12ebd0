// WebSocketWriter: the write side of a WebSocket connection, shared by the native
// protocol (/ws, websocket_session.cpp) and Socket.IO's WebSocket transport
// (socketio_session.cpp). It sends what the connection's SendQueue holds as WebSocket
// data frames it frames itself: server frames are unmasked and permessage-deflate is
// never negotiated, so a frame is a 2-10 byte header (FIN, the stream's text/binary
// opcode, the length) and the message's shared bytes, unchanged. Beast keeps the
// handshake, the reads, pings, pongs and the close; its control frames go through the
// same CoalescingStream, which keeps every frame whole, and no data frame is written
// once Beast is no longer open (a close frame was sent or received).
//
// Two ways out:
//   - try_write(): no suspension, for the common case. When nothing else is buffered
//     or in flight on the stream, the queued frames go straight to the socket, one
//     non-blocking sendmsg() (header and payload gathered, no copy) per batch. What the
//     socket does not take stays in the stream's buffer for drain().
//   - drain(): the writer coroutine, when the socket would block or a close follows:
//     each batch is corked into the stream's buffer (one memcpy per frame, no
//     operation and no completion per frame) and flushed as one socket write.
// Each batch is counted (frames, bytes, publish-to-write latency: SubscriptionFlow::
// record_written) when it is written, or, for try_write's rest, handed to the stream.
//
// Publish backpressure: a batch's bytes stay in the queued-bytes gauge until the
// socket took all of them (SendQueue::take / release_taken), and every partial write
// meanwhile tells the queue that it is moving (SendQueue::progressed). A reader that
// is slow but reading therefore stays counted however long one flush takes through a
// small socket buffer; only a queue that has not moved for ServerContext::
// stalled_after (its reader stopped) leaves the total. After a batch that shows a
// backlog, what the socket's send buffer holds is sampled into the queue too
// (sample_downstream).
//
// Thread: the connection's shard thread. Contract: one try_write() or drain() at a
// time per connection (the session's writer flag), and the stream, the flow and `stop`
// outlive it (the session's writer holds the session). Cost: try_write: per batch
// (up to max_batch frames) one syscall, no allocation when the socket takes it all;
// drain: per batch one allocation for the batch, one memcpy per frame, one socket
// write (more when the socket buffer is smaller than the batch) and one clock read per
// partial write.
#pragma once

#include "gateway/websocket_transport.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>

#include <cstddef>
#include <cstdint>

namespace herald::gateway {

class SubscriptionFlow;

class WebSocketWriter {
 public:
  /// Frames taken from the queue per batch (one socket write): bounds the time one
  /// connection holds the shard between yields.
  static constexpr std::size_t max_batch = 256;
  /// Upper bound of a data frame header (unmasked, 64-bit length).
  static constexpr std::size_t max_header = 10;

  WebSocketWriter(ws::Stream& stream, SubscriptionFlow& flow) noexcept
      : stream_(stream), flow_(flow) {}

  /// Writes the queued frames straight to the socket if nothing else is buffered or in
  /// flight and the stream is open. True: the queue is empty and nothing is left to
  /// write. False: drain() must run (the socket would block or failed, and the rest is
  /// in the stream's buffer, or the stream was busy or not open). Never suspends.
  bool try_write();

  /// Writes what the stream holds and the queued frames, batch after batch, until both
  /// are empty, `stop` is true (checked between batches) or a write fails: that error
  /// (the connection is then dead; the frames of the failed batch are dropped). Once
  /// the stream is not open (a close frame was sent or received) queued frames are
  /// dropped, not written, and that is no error: the reader ends the connection.
  boost::asio::awaitable<boost::system::error_code> drain(const bool& stop);

  /// The header of an unfragmented data frame of `size` bytes (`text`: opcode 1, else
  /// 2) into `out`; returns its length (2, 4 or 10).
  static std::size_t encode_header(std::uint64_t size, bool text, unsigned char* out) noexcept;

 private:
  ws::Stream& stream_;
  SubscriptionFlow& flow_;
};

}  // namespace herald::gateway
