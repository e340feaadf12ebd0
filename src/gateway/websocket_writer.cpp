// WebSocketWriter: frames from the SendQueue to the socket, straight when it takes
// them, else through the CoalescingStream (see websocket_writer.hpp).
#include "gateway/websocket_writer.hpp"

#include "gateway/downstream_probe.hpp"
#include "gateway/subscription_flow.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <string_view>
#include <vector>

namespace herald::gateway {
namespace {

namespace asio = boost::asio;

std::size_t payload_bytes(const std::vector<OutboundFrame>& batch) {
  std::size_t n = 0;
  for (const OutboundFrame& f : batch) n += f.text->size();
  return n;
}

}  // namespace

std::size_t WebSocketWriter::encode_header(std::uint64_t size, bool text,
                                           unsigned char* out) noexcept {
  out[0] = static_cast<unsigned char>(0x80 | (text ? 0x1 : 0x2));  // FIN, opcode
  if (size < 126) {
    out[1] = static_cast<unsigned char>(size);
    return 2;
  }
  if (size <= 0xFFFF) {
    out[1] = 126;
    out[2] = static_cast<unsigned char>(size >> 8);
    out[3] = static_cast<unsigned char>(size);
    return 4;
  }
  out[1] = 127;
  for (int i = 0; i < 8; ++i) out[2 + i] = static_cast<unsigned char>(size >> (8 * (7 - i)));
  return 10;
}

bool WebSocketWriter::try_write() {
  SendQueue& queue = flow_.queue();
  auto& coalescing = stream_.next_layer();
  if (!coalescing.idle() || !stream_.is_open()) return false;
  if (queue.empty()) return true;
  // Reused by every connection of the shard thread: no allocation per batch. Emptied
  // before returning, so it holds no frame between calls.
  thread_local std::vector<OutboundFrame> batch;
  std::array<unsigned char, max_batch * max_header> headers;
  std::array<iovec, 2 * max_batch> iov;
  const int fd = coalescing.next_layer().native_handle();
  const bool text = stream_.text();
  while (!queue.empty()) {
    batch.clear();
    queue.take(batch, max_batch);
    std::size_t parts = 0;
    std::size_t total = 0;
    unsigned char* header = headers.data();
    for (const OutboundFrame& f : batch) {
      std::size_t h = encode_header(f.text->size(), text, header);
      iov[parts++] = iovec{header, h};
      iov[parts++] = iovec{const_cast<char*>(f.text->data()), f.text->size()};
      header += h;
      total += h + f.text->size();
    }
    msghdr msg{};
    msg.msg_iov = iov.data();
    msg.msg_iovlen = parts;
    ssize_t n;
    do {
      n = ::sendmsg(fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
    } while (n < 0 && errno == EINTR);
    std::size_t sent = n > 0 ? static_cast<std::size_t>(n) : 0;
    flow_.record_written(batch, payload_bytes(batch));
    if (sent == total) {
      queue.release_taken();
      // After the release, so the bytes in the send buffer are not counted twice (a
      // partial write's are in flight until drain() flushed them; it samples then).
      sample_downstream_after_write(queue, fd, batch.size(), total,
                                    std::chrono::steady_clock::now());
      continue;
    }
    // The socket would block (or failed: the flush reports it): the rest goes to the
    // stream's buffer, in flight until drain() flushed it.
    coalescing.cork(total - sent);
    for (std::size_t i = 0; i < parts; ++i) {
      std::size_t len = iov[i].iov_len;
      if (sent >= len) {
        sent -= len;
        continue;
      }
      coalescing.append_frames(
          std::string_view(static_cast<const char*>(iov[i].iov_base) + sent, len - sent));
      sent = 0;
    }
    batch.clear();
    return false;
  }
  batch.clear();
  return true;
}

asio::awaitable<boost::system::error_code> WebSocketWriter::drain(const bool& stop) {
  boost::system::error_code ec;
  std::vector<OutboundFrame> batch;
  SendQueue& queue = flow_.queue();
  auto& coalescing = stream_.next_layer();
  auto on_progress = [&queue](std::size_t) { queue.progressed(std::chrono::steady_clock::now()); };
  const bool text = stream_.text();
  while (!stop && (!queue.empty() || !coalescing.idle())) {
    batch.clear();
    if (!queue.empty()) {
      if (!stream_.is_open()) {
        // A close frame went (Beast answered the peer's, or the session closed): no
        // data frame may follow. Dropped; the reader ends the connection.
        queue.clear();
        continue;
      }
      batch.reserve(std::min(queue.size(), max_batch));
      queue.take(batch, max_batch);
    }
    std::size_t bytes = payload_bytes(batch);
    // Every frame of the batch lands in one buffer; one socket write sends them.
    coalescing.cork(bytes + batch.size() * max_header);
    for (const OutboundFrame& f : batch) {
      unsigned char header[max_header];
      std::size_t h = encode_header(f.text->size(), text, header);
      coalescing.append_frames(std::string_view(reinterpret_cast<const char*>(header), h));
      coalescing.append_frames(*f.text);
    }
    co_await coalescing.async_flush(on_progress, asio::redirect_error(asio::use_awaitable, ec));
    queue.release_taken();
    if (ec) break;
    sample_downstream_after_write(queue, coalescing.next_layer().native_handle(), batch.size(),
                                  bytes, std::chrono::steady_clock::now());
    flow_.record_written(batch, bytes);
  }
  co_return ec;
}

}  // namespace herald::gateway
