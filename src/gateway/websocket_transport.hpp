// The transport under a WebSocket session, chosen for what an idle connection costs
// (the peer bench's S4: 10,000 idle subscribers; see docs/benchmarks.md): the socket
// type, Beast's stream over it, the session's timer type, an allocator for
// operations that stay pending for hours, and the hand-over of an accepted socket.
// Shard thread only.
#pragma once

#include "gateway/coalescing_stream.hpp"

#include <boost/asio/basic_stream_socket.hpp>
#include <boost/asio/basic_waitable_timer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/recycling_allocator.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <memory>

namespace herald::gateway::ws {

/// The shard's concrete executor (8 bytes) rather than any_io_executor (56): every
/// pending operation, timer and work guard of a connection carries copies of it.
using Executor = boost::asio::io_context::executor_type;
using Socket = boost::asio::basic_stream_socket<boost::asio::ip::tcp, Executor>;
using Timer = boost::asio::basic_waitable_timer<
    std::chrono::steady_clock, boost::asio::wait_traits<std::chrono::steady_clock>, Executor>;
/// Straight over the socket: beast::tcp_stream would add a second heap block and a
/// timer per connection, and its timeouts are unused (Beast's websocket timeouts run on
/// the stream's own timer). deflateSupported = false: permessage-deflate is never
/// negotiated (nothing configures it), so its per-connection state is compiled out.
using Stream = boost::beast::websocket::stream<CoalescingStream<Socket>, false>;

/// Exact-size heap blocks for an operation a connection keeps pending for hours (its
/// idle read): Asio's default recycling allocator hands an operation any cached block
/// big enough for it, so a long wait could pin a block far larger than it needs.
template <class T>
struct ExactAllocator {
  using value_type = T;
  ExactAllocator() = default;
  template <class U>
  ExactAllocator(const ExactAllocator<U>&) noexcept {}
  T* allocate(std::size_t n) { return std::allocator<T>().allocate(n); }
  void deallocate(T* p, std::size_t n) noexcept { std::allocator<T>().deallocate(p, n); }
  friend bool operator==(ExactAllocator, ExactAllocator) noexcept { return true; }
};

/// While alive, holds aside the blocks cached by Asio's per-thread recycling allocator
/// (it keeps up to BOOST_ASIO_RECYCLING_ALLOCATOR_CACHE_SIZE, 2 by default, and hands
/// any of them to the next operation they are big enough for); on destruction they go
/// back. Starting a long wait under it (Beast arms its 144-byte idle-timer wait when a
/// read starts) gets that wait an exact-size block instead of pinning whatever larger
/// block a finished operation left in the cache (measured: -40 B per idle connection).
/// Cost per use: two cache hits, or two tiny allocations when the cache is empty. If
/// the cache works otherwise than assumed, the only effect is where blocks come from.
class RecyclingCacheHold {
 public:
  RecyclingCacheHold() {
    for (auto& block : blocks_) block = allocator_.allocate(1);
  }
  ~RecyclingCacheHold() {
    for (auto* block : blocks_) allocator_.deallocate(block, 1);
  }
  RecyclingCacheHold(const RecyclingCacheHold&) = delete;
  RecyclingCacheHold& operator=(const RecyclingCacheHold&) = delete;

 private:
  boost::asio::recycling_allocator<unsigned char> allocator_;
  unsigned char* blocks_[BOOST_ASIO_RECYCLING_ALLOCATOR_CACHE_SIZE] = {};
};

/// Moves an accepted socket onto a Socket of `context` (its shard's). Cost: the
/// descriptor is re-registered with the reactor (two epoll_ctl calls per connection).
/// On failure the result is closed, and the handshake then fails on it.
inline Socket rehome(boost::asio::io_context& context, boost::asio::ip::tcp::socket socket) {
  Socket out(context);
  boost::system::error_code ec;
  auto protocol = socket.local_endpoint(ec).protocol();
  if (ec) return out;
  auto fd = socket.release(ec);
  if (ec) return out;
  out.assign(protocol, fd, ec);
  if (ec) ::close(fd);
  return out;
}

}  // namespace herald::gateway::ws
