// CoalescingStream: the layer under Beast's websocket::stream that turns many frame
// writes into one socket write. Beast writes each WebSocket message with its own
// async_write_some; here every write is appended to a buffer and completes at once,
// and the bytes go to the socket in one async_write per flush.
//
// Use: cork(), write the batch of messages through the websocket stream, then
// co_await async_flush() (uncorks, writes everything, completes when the socket
// took it). While not corked, writes (Beast's own pongs, pings and close frames)
// are flushed as they come. Flushes are serialised, so bytes reach the socket in the
// order they were written and frames never interleave.
//
// Cost: one memcpy per frame into the batch buffer; one syscall per flush instead of
// one per frame; two allocations per burst of writes (the write state and the batch
// buffer, sized by cork's hint). Memory: the buffer holds at most one batch plus
// control frames (the writer awaits each flush before taking the next batch); the
// state and buffers exist only while there is something to write, so an idle
// connection holds nothing here but the socket. Single-threaded: the owning
// connection's shard thread.
#pragma once

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/websocket/teardown.hpp>

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
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
            for (auto it = boost::asio::buffer_sequence_begin(bufs);
                 it != boost::asio::buffer_sequence_end(bufs); ++it) {
              boost::asio::const_buffer b(*it);
              st.pending.append(static_cast<const char*>(b.data()), b.size());
              n += b.size();
            }
            if (!st.corked) start_flush();
          }
          auto ex = boost::asio::get_associated_executor(handler, next_.get_executor());
          boost::asio::post(ex, [h = std::move(handler), ec, n]() mutable { std::move(h)(ec, n); });
        },
        token, buffers);
  }

  /// Holds writes in the buffer until async_flush(). `expected_bytes`: what the batch
  /// will append, reserved at once so the batch costs one allocation.
  void cork(std::size_t expected_bytes = 0) {
    State& st = state();
    st.corked = true;
    st.pending.reserve(st.pending.size() + expected_bytes);
  }

  /// Uncorks and completes once everything written so far reached the socket (or
  /// with the error that stopped it).
  template <class FlushToken>
  auto async_flush(FlushToken&& token) {
    return boost::asio::async_initiate<FlushToken, void(boost::system::error_code)>(
        [this](auto handler) {
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
          start_flush();
        },
        token);
  }

 private:
  // Created by the first write after an idle period, dropped when idle again (see
  // release_if_idle). Shared with the completion of the write in flight, which may
  // run after the stream is gone.
  struct State {
    std::string pending;   // appended, not yet handed to the socket
    std::string inflight;  // being written by the one async_write in flight
    bool corked = false;
    bool flushing = false;
    bool alive = true;  // false once the stream is gone: completions must not touch it
    boost::system::error_code error;                        // sticky: the first write error
    std::function<void(boost::system::error_code)> waiter;  // the pending async_flush
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

  void start_flush() {
    State& st = *state_;
    if (st.flushing || st.pending.empty() || st.error) return;
    st.flushing = true;
    st.inflight.swap(st.pending);
    boost::asio::async_write(next_, boost::asio::buffer(st.inflight),
                             [this, keep = state_](boost::system::error_code ec, std::size_t) {
                               State& s = *keep;
                               s.flushing = false;
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
                                 w(s.error);
                               }
                               if (state_ == keep) release_if_idle();
                             });
  }

  NextLayer next_;
  std::shared_ptr<State> state_;
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
