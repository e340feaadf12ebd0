// SocketIoSession, polling half: Engine.IO long-polling (a GET takes the queued
// packets, a POST brings the client's) and the upgrade to WebSocket with its probe.
// Every method runs on the session's shard (the route hops there with co_spawn).
#include "gateway/server_context.hpp"
#include "gateway/socketio/engineio_packet.hpp"
#include "gateway/socketio_session.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>

namespace herald::gateway {

namespace asio = boost::asio;
namespace beast = boost::beast;
using asio::awaitable;
using asio::use_awaitable;
using std::chrono::steady_clock;

namespace {
// Packets per GET answer, and per POST body.
constexpr std::size_t max_poll_packets = 256;
}  // namespace

void SocketIoSession::wake_poll() {
  if (polling_ && polling_->get_pending) polling_->wake.cancel();
}

awaitable<std::optional<std::string>> SocketIoSession::poll() {
  auto self = shared_from_this();
  if (!polling()) co_return std::string("6");  // upgraded meanwhile: nothing more here
  if (polling_->get_pending) co_return std::nullopt;
  polling_->last_seen = steady_clock::now();
  if (!dead_ && !closing_ && !polling_->upgrading && flow_.queue().empty()) {
    polling_->get_pending = true;
    boost::system::error_code ec;
    polling_->wake.expires_after(2 * ctx_.options.ping_interval);  // a ping comes before
    co_await polling_->wake.async_wait(asio::redirect_error(use_awaitable, ec));
    polling_->get_pending = false;
    polling_->last_seen = steady_clock::now();
  }
  std::string payload;
  if (polling_->upgrading) co_return std::string("6");  // lets the client finish the upgrade
  std::vector<OutboundFrame> batch;
  flow_.queue().take(batch, max_poll_packets);
  flow_.queue().release_taken();  // handed to the GET's answer (the HTTP session writes it)
  for (const OutboundFrame& f : batch) socketio::append_to_payload(payload, *f.text);
  flow_.record_written(batch, payload.size());
  if ((closing_ && flow_.queue().empty()) || dead_) {
    socketio::append_to_payload(payload, "1");
    finish(beast::websocket::error::closed);
  }
  if (payload.empty()) payload.push_back('6');  // (GCC 12 -Wrestrict false positive on = "6")
  co_return payload;
}

awaitable<bool> SocketIoSession::post(std::string body) {
  auto self = shared_from_this();
  if (polling_) polling_->last_seen = steady_clock::now();
  if (dead_) co_return true;
  if (!socketio::decode_engineio_payload(body, max_poll_packets)) {
    spdlog::info("conn={} malformed Engine.IO payload: closing", id_);
    close(1002, "malformed Engine.IO payload", false);
    co_return false;
  }
  std::string_view rest(body);
  while (!dead_ && !closing_) {
    std::size_t sep = rest.find(socketio::record_separator);
    co_await handle(rest.substr(0, sep));
    if (sep == std::string_view::npos) break;
    rest.remove_prefix(sep + 1);
  }
  co_return true;
}

awaitable<void> SocketIoSession::upgrade(ws::Socket socket, HttpRequest req) {
  auto self = shared_from_this();
  boost::system::error_code ec;
  if (!polling() || polling_->upgrading || ws_ || dead_ || closing_) {
    socket.close(ec);
    co_return;
  }
  ws_ = std::make_unique<ws::Stream>(std::move(socket));
  apply_websocket_options();
  co_await ws_->async_accept(req, asio::redirect_error(use_awaitable, ec));
  beast::flat_buffer buffer;
  if (!ec) {
    ws_->text(true);
    co_await ws_->async_read(buffer, asio::redirect_error(use_awaitable, ec));
  }
  if (ec || beast::buffers_to_string(buffer.data()) != "2probe" || dead_) {
    spdlog::info("conn={} upgrade to WebSocket failed (no probe)", id_);
    beast::get_lowest_layer(*ws_).close(ec);
    ws_.reset();  // polling goes on
    co_return;
  }
  co_await ws_->async_write(asio::buffer(std::string_view("3probe")),
                            asio::redirect_error(use_awaitable, ec));
  polling_->upgrading = true;
  wake_poll();  // the pending GET answers a noop: the client pauses polling
  buffer.clear();
  if (!ec) co_await ws_->async_read(buffer, asio::redirect_error(use_awaitable, ec));
  if (ec || beast::buffers_to_string(buffer.data()) != "5" || dead_) {
    spdlog::info("conn={} upgrade to WebSocket failed (no upgrade packet)", id_);
    beast::get_lowest_layer(*ws_).close(ec);
    co_return finish(beast::websocket::error::closed);
  }
  polling_->upgraded = true;
  spdlog::debug("conn={} socket.io upgraded to WebSocket", id_);
  start_writer();  // what was queued for the next GET goes over WebSocket
  wait_message();
}

}  // namespace herald::gateway
