// WebSocketWriter: batches from the SendQueue to the socket (see websocket_writer.hpp).
#include "gateway/websocket_writer.hpp"

#include "gateway/subscription_flow.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <chrono>
#include <vector>

namespace herald::gateway {
namespace {

namespace asio = boost::asio;
// Upper bound of a WebSocket frame header the server writes (unmasked, 64-bit length).
constexpr std::size_t max_frame_header = 10;

}  // namespace

asio::awaitable<boost::system::error_code> WebSocketWriter::drain(const bool& stop) {
  boost::system::error_code ec;
  std::vector<OutboundFrame> batch;
  SendQueue& queue = flow_.queue();
  auto on_progress = [&queue](std::size_t) { queue.progressed(std::chrono::steady_clock::now()); };
  while (!stop && !queue.empty()) {
    batch.clear();
    batch.reserve(std::min(queue.size(), max_batch));
    queue.take(batch, max_batch);
    std::size_t bytes = 0;
    for (const OutboundFrame& f : batch) bytes += f.text->size() + max_frame_header;
    // Every message of the batch lands in one buffer; one socket write sends them.
    stream_.next_layer().cork(bytes);
    for (const OutboundFrame& f : batch) {
      co_await stream_.async_write(asio::buffer(*f.text),
                                   asio::redirect_error(asio::use_awaitable, ec));
      if (ec) break;
    }
    if (!ec) {
      co_await stream_.next_layer().async_flush(on_progress,
                                                asio::redirect_error(asio::use_awaitable, ec));
    }
    queue.release_taken();
    if (ec) break;
    std::size_t written = 0;
    for (const OutboundFrame& f : batch) written += f.text->size();
    flow_.record_written(batch, written);
  }
  co_return ec;
}

}  // namespace herald::gateway
