// CoalescingStream: the layer under Beast's websocket::stream that turns many frame
// writes into one socket write. Beast writes each of its frames with its own
// async_write_some; here every write is appended to a buffer and completes at once,
// and the bytes go to the socket in one async_write per flush. WebSocketWriter appends
// its data frames with append_frames() (no operation, no completion), and writes
// straight to the socket only while idle() (nothing buffered or in flight).
//
// Use: cork(), append the batch of frames, then co_await async_flush() (uncorks,
// writes everything, completes when the socket took it; its `progress` callback hears
// of every part the socket took meanwhile, so a caller can tell a slow reader from one
// that stopped while a flush is still in flight). While not corked, writes (Beast's
// own pongs, pings and close frames) are flushed as they come. Flushes are
// serialised, so bytes reach the socket in the order they were written and frames
// never interleave.
//
// Cost: one memcpy per frame into the batch buffer; one syscall per flush instead of
// one per frame; two allocations per burst of writes (the write state and the batch
// buffer, sized by cork's hint). Memory: the buffer holds at most one batch plus
// control frames (the writer awaits each flush before taking the next batch); the
// state and buffers exist only while there is something to write, so an idle
// connection holds nothing here but the socket. Single-threaded: the owning
// connection's shard thread.
//
// Control frames (Beast's pongs, pings and close frames, told apart by their first
// byte) are not bounded by the session's SendQueue: a peer that pings without reading
// would otherwise make the server buffer pongs without limit. Their unwritten bytes
// count against limit_control_output(); past it the stream fails (no_buffer_space)
// and closes the socket, which ends the session's read and write.
#pragma once

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/websocket/teardown.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

namespace herald::gateway {

template <class NextLayer>
class CoalescingStream {
 public:
  using next_layer_type = NextLayer;
  using executor_type = typename NextLayer::executor_type;

  template <class... Args>
  explicit CoalescingStream(Args&&... args) : next_(std::forward<Args>(args)...) {}
  ~CoalescingStream() {
    if (state_) state_->alive = false;
  }
  CoalescingStream(CoalescingStream&&) = delete;

  executor_type get_executor() noexcept { return next_.get_executor(); }
  /// Unwritten control-frame bytes beyond which the stream fails and closes the socket.
  /// Frames are followed from the first call on, so make it after the handshake (whose
  /// HTTP response is not made of frames), between two frames.
  void limit_control_output(std::size_t bytes) noexcept { control_limit_ = bytes; }
  /// The next close frame written carries `code` instead of the one Beast chose (Beast
  /// echoes a peer's close code, and accepts codes >= 5000, which RFC 6455 leaves
  /// undefined: the answer to those is 1002). Needs the frame following of
  /// limit_control_output().
  void replace_next_close_code(std::uint16_t code) noexcept { close_code_override_ = code; }
  /// The stream failed because control output went over the limit.
  bool overflowed() const noexcept { return overflowed_; }
  NextLayer& next_layer() noexcept { return next_; }
  const NextLayer& next_layer() const noexcept { return next_; }

  template <class MutableBufferSequence, class ReadToken>
  auto async_read_some(const MutableBufferSequence& buffers, ReadToken&& token) {
    return next_.async_read_some(buffers, std::forward<ReadToken>(token));
  }

  /// Appends the bytes and completes (never inline) with all of them written.
  template <class ConstBufferSequence, class WriteToken>
  auto async_write_some(const ConstBufferSequence& buffers, WriteToken&& token) {
    return boost::asio::async_initiate<WriteToken, void(boost::system::error_code, std::size_t)>(
        [this](auto handler, const ConstBufferSequence& bufs) {
          std::size_t n = 0;
          State& st = state();
          boost::system::error_code ec = st.error;
          if (!ec) {
            std::size_t start = st.pending.size();
            bool frame_start = control_limit_ != no_limit && frame_left_ == 0;
            for (auto it = boost::asio::buffer_sequence_begin(bufs);
                 it != boost::asio::buffer_sequence_end(bufs); ++it) {
              boost::asio::const_buffer b(*it);
              st.pending.append(static_cast<const char*>(b.data()), b.size());
              n += b.size();
            }
            if (frame_start && close_code_override_ != 0) patch_close_code(st.pending, start);
            std::size_t control =
                control_limit_ == no_limit ? 0 : control_bytes(st.pending.data() + start, n);
            if (control != 0) {
              st.control_pending += control;
              if (st.control_pending + st.control_inflight > control_limit_) {
                fail_overflow();
                ec = st.error;
              }
            }
            if (!ec && !st.corked) start_flush();
          }
          auto ex = boost::asio::get_associated_executor(handler, next_.get_executor());
          boost::asio::post(ex, [h = std::move(handler), ec, n]() mutable { std::move(h)(ec, n); });
        },
        token, buffers);
  }

  /// Nothing is buffered or being written and no write failed: bytes written straight
  /// to the socket now cannot overtake or split anything (WebSocketWriter::try_write).
  bool idle() const noexcept {
    return !state_ || (!state_->flushing && state_->pending.empty() && !state_->error);
  }

  /// Appends data-frame bytes that end at a frame boundary (whole frames, or the rest
  /// of frames whose start went to the socket directly), as a write would, but at once:
  /// no operation, no completion. Flushed now unless corked. Not counted as control
  /// output; the frame following of limit_control_output() stays at the boundary.
  void append_frames(std::string_view bytes) {
    State& st = state();
    if (st.error) return;
    st.pending.append(bytes);
    if (!st.corked) start_flush();
  }

  /// Holds writes in the buffer until async_flush(). `expected_bytes`: what the batch
  /// will append, reserved at once so the batch costs one allocation.
  void cork(std::size_t expected_bytes = 0) {
    State& st = state();
    st.corked = true;
    st.pending.reserve(st.pending.size() + expected_bytes);
  }

  /// Uncorks and completes once everything written so far reached the socket (or
  /// with the error that stopped it). Until then `progress(n)` is called (on this
  /// stream's thread, never after the stream is gone) each time the socket takes n
  /// more bytes, control frames included.
  template <class FlushToken>
  auto async_flush(std::function<void(std::size_t)> progress, FlushToken&& token) {
    return boost::asio::async_initiate<FlushToken, void(boost::system::error_code)>(
        [this](auto handler, std::function<void(std::size_t)> progress) {
          State& st = state();
          st.corked = false;
          if (st.error || (!st.flushing && st.pending.empty())) {
            auto ex = boost::asio::get_associated_executor(handler, next_.get_executor());
            boost::asio::post(
                ex, [h = std::move(handler), ec = st.error]() mutable { std::move(h)(ec); });
            release_if_idle();
            return;
          }
          // std::function needs a copyable target: share the move-only handler.
          auto ex = boost::asio::get_associated_executor(handler, next_.get_executor());
          auto h = std::make_shared<decltype(handler)>(std::move(handler));
          st.waiter = [h, ex](boost::system::error_code ec) {
            boost::asio::post(ex, [h, ec]() { std::move (*h)(ec); });
          };
          st.progress = std::move(progress);
          start_flush();
        },
        token, std::move(progress));
  }
  template <class FlushToken>
  auto async_flush(FlushToken&& token) {
    return async_flush(nullptr, std::forward<FlushToken>(token));
  }

 private:
  // Created by the first write after an idle period, dropped when idle again (see
  // release_if_idle). Shared with the completion of the write in flight, which may
  // run after the stream is gone.
  struct State {
    std::string pending;               // appended, not yet handed to the socket
    std::string inflight;              // being written by the one async_write in flight
    std::size_t control_pending = 0;   // control-frame bytes in `pending`
    std::size_t control_inflight = 0;  // control-frame bytes in `inflight`
    bool corked = false;
    bool flushing = false;
    bool alive = true;  // false once the stream is gone: completions must not touch it
    boost::system::error_code error;                        // sticky: the first write error
    std::function<void(boost::system::error_code)> waiter;  // the pending async_flush
    std::function<void(std::size_t)> progress;              // ... and its progress callback
    std::size_t reported = 0;  // bytes of `inflight` already passed to `progress`
  };

  State& state() {
    if (!state_) state_ = std::make_shared<State>();
    return *state_;
  }
  // Nothing buffered, in flight, corked or awaited: the state goes. Kept after an
  // error, which must stick.
  void release_if_idle() noexcept {
    const State& st = *state_;
    if (!st.flushing && !st.corked && st.pending.empty() && !st.waiter && !st.error) state_.reset();
  }

  // Of `n` bytes appended to the output, those of control frames. Follows the frame
  // boundaries across calls (asio's async_write hands over at most 64 KiB per call, so
  // a large message arrives in pieces). A frame's header arrives whole in one call.
  std::size_t control_bytes(const char* data, std::size_t n) noexcept {
    std::size_t control = 0;
    std::size_t i = 0;
    while (i < n) {
      if (frame_left_ == 0) {
        if (n - i < 2) return control;  // not a frame start: nothing to follow
        auto byte = [&](std::size_t k) { return static_cast<unsigned char>(data[i + k]); };
        std::size_t header = 2 + ((byte(1) & 0x80) != 0 ? 4 : 0);
        std::uint64_t payload = byte(1) & 0x7F;
        std::size_t extended = payload == 126 ? 2 : payload == 127 ? 8 : 0;
        if (n - i < 2 + extended) return control;
        if (extended != 0) payload = 0;
        for (std::size_t k = 0; k < extended; ++k) payload = (payload << 8) | byte(2 + k);
        frame_left_ = header + extended + payload;
        frame_control_ = (byte(0) & 0x08) != 0;  // opcodes 8-15 are control frames
      }
      std::size_t take = static_cast<std::size_t>(
          std::min<std::uint64_t>(frame_left_, static_cast<std::uint64_t>(n - i)));
      if (frame_control_) control += take;
      frame_left_ -= take;
      i += take;
    }
    return control;
  }

  // A close frame (unmasked, payload of 2-125 bytes) at `start` gets the override code.
  void patch_close_code(std::string& out, std::size_t start) noexcept {
    if (out.size() - start < 4) return;
    auto b0 = static_cast<unsigned char>(out[start]);
    auto len = static_cast<unsigned char>(out[start + 1]);
    if ((b0 & 0x0F) != 0x8 || len < 2 || len > 125) return;
    out[start + 2] = static_cast<char>(close_code_override_ >> 8);
    out[start + 3] = static_cast<char>(close_code_override_ & 0xFF);
    close_code_override_ = 0;
  }

  // Control output over the limit: the error sticks, the buffered bytes go, and the
  // socket closes (the write in flight and the peer's pending read end with it).
  void fail_overflow() {
    State& st = *state_;
    overflowed_ = true;
    st.error = boost::asio::error::no_buffer_space;
    std::string().swap(st.pending);
    st.control_pending = 0;
    boost::system::error_code ignored;
    next_.close(ignored);
  }

  void start_flush() {
    State& st = *state_;
    if (st.flushing || st.pending.empty() || st.error) return;
    st.flushing = true;
    st.inflight.swap(st.pending);
    st.control_inflight = st.control_pending;
    st.control_pending = 0;
    st.reported = 0;
    // The completion condition runs after every partial write: it reports progress.
    auto condition = [keep = state_](const boost::system::error_code& ec,
                                     std::size_t total) -> std::size_t {
      report_progress(*keep, total);
      return boost::asio::transfer_all()(ec, total);
    };
    boost::asio::async_write(next_, boost::asio::buffer(st.inflight), std::move(condition),
                             [this, keep = state_](boost::system::error_code ec, std::size_t n) {
                               State& s = *keep;
                               report_progress(s, n);
                               s.flushing = false;
                               s.control_inflight = 0;
                               // Freed, not kept for the next batch: most connections are
                               // idle most of the time, and then they hold no buffer.
                               std::string().swap(s.inflight);
                               if (ec && !s.error) s.error = ec;
                               if (!s.alive) return;
                               if (!s.error && !s.corked && !s.pending.empty()) {
                                 start_flush();
                                 return;
                               }
                               if (s.waiter && (s.error || s.pending.empty())) {
                                 auto w = std::move(s.waiter);
                                 s.waiter = nullptr;
                                 s.progress = nullptr;
                                 w(s.error);
                               }
                               if (state_ == keep) release_if_idle();
                             });
  }

  // `total` bytes of the write in flight are written: the new ones go to the flush's
  // progress callback, if the stream (and so whoever set it) is still there.
  static void report_progress(State& s, std::size_t total) {
    if (total <= s.reported) return;
    std::size_t fresh = total - s.reported;
    s.reported = total;
    if (s.alive && s.progress) s.progress(fresh);
  }

  NextLayer next_;
  std::shared_ptr<State> state_;
  std::uint64_t frame_left_ = 0;  // bytes of the frame being written not yet appended
  static constexpr std::size_t no_limit = static_cast<std::size_t>(-1);
  std::size_t control_limit_ = no_limit;
  std::uint16_t close_code_override_ = 0;  // replace_next_close_code
  bool frame_control_ = false;             // that frame is a control frame
  bool overflowed_ = false;
};

// Closing a WebSocket tears down the layer below: pass it through to the socket.
template <class NextLayer>
void teardown(boost::beast::role_type role, CoalescingStream<NextLayer>& stream,
              boost::system::error_code& ec) {
  using boost::beast::websocket::teardown;
  teardown(role, stream.next_layer(), ec);
}

template <class NextLayer, class TeardownHandler>
void async_teardown(boost::beast::role_type role, CoalescingStream<NextLayer>& stream,
                    TeardownHandler&& handler) {
  using boost::beast::websocket::async_teardown;
  async_teardown(role, stream.next_layer(), std::forward<TeardownHandler>(handler));
}

}  // namespace herald::gateway
