// SocketIoSession, transport half: the WebSocket under Engine.IO (handshake, idle
// one-byte read then a coroutine per message, writer coroutine with coalesced
// batches, one timer for pings and deadlines, close). Shaped like WebSocketSession so
// that an idle Socket.IO connection costs about what a native one does.
#include "gateway/socketio_session.hpp"

#include "gateway/downstream_probe.hpp"
#include "gateway/log_event.hpp"
#include "gateway/server_context.hpp"
#include "gateway/socketio/engineio_packet.hpp"
#include "gateway/token_lifetime.hpp"
#include "gateway/websocket_writer.hpp"

#include <openssl/rand.h>
#include <spdlog/spdlog.h>
#include <boost/asio/bind_allocator.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include <algorithm>
#include <cstring>

namespace herald::gateway {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using asio::awaitable;
using asio::use_awaitable;
using std::chrono::steady_clock;

namespace {
constexpr std::chrono::seconds close_timeout{5};

}  // namespace

// 128 random bits as hex: a polling request is authorised by its sid alone.
std::string random_sid() {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("RAND_bytes failed");
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out += hex[b >> 4];
    out += hex[b & 15];
  }
  return out;
}

SocketIoSession::SocketIoSession(ServerContext& ctx, Shard& shard, std::optional<ws::Socket> socket,
                                 std::optional<Identity> identity)
    : ctx_(ctx),
      shard_(shard),
      ws_(socket ? std::make_unique<ws::Stream>(std::move(*socket)) : nullptr),
      id_(ctx.new_connection_id()),
      sid_(random_sid()),
      identity_(identity.value_or(Identity{})),
      preauthenticated_(identity.has_value()),
      flow_(ctx, shard, *this, "socketio"),
      limiter_(ctx.options.client_rate_limit) {
  if (!ws_) polling_ = std::make_unique<Polling>(shard.context().get_executor());
  flow_.queue().set_limit(
      std::min(ctx_.options.max_send_queue_bytes, ctx_.options.unauthenticated_output_bytes));
}

void SocketIoSession::apply_websocket_options() {
  beast::error_code ec;
  websocket::stream_base::timeout timeouts;
  timeouts.handshake_timeout = std::chrono::seconds(10);
  // Engine.IO eviction: the client answers every ping ("2") with a pong ("3"); a
  // client silent for ping_interval + ping timeout (the same length here) is gone.
  timeouts.idle_timeout = 2 * ctx_.options.ping_interval;
  timeouts.keep_alive_pings = false;
  ws_->set_option(timeouts);
  ws_->set_option(websocket::stream_base::decorator(
      [](websocket::response_type& res) { res.set(beast::http::field::server, "herald"); }));
  ws_->read_message_max(ctx_.options.max_message_bytes);
  beast::get_lowest_layer(*ws_).set_option(asio::ip::tcp::no_delay(true), ec);
  ws_->auto_fragment(false);
  ws_->next_layer().limit_control_output(flow_.queue().limit());
}

awaitable<bool> SocketIoSession::accept(HttpRequest& req) {
  beast::error_code ec;
  apply_websocket_options();
  co_await ws_->async_accept(req, asio::redirect_error(use_awaitable, ec));
  if (ec) {
    holds_slot_ = false;
    ctx_.release_connection();
    co_return false;
  }
  ws_->text(true);
  co_return true;
}

std::string SocketIoSession::start() {
  ctx_.socketio_sessions.add(sid_, shared_from_this());
  shard_.attach(this);
  shard_.metrics().connections.fetch_add(1, std::memory_order_relaxed);
  shard_.metrics().socketio_connections.fetch_add(1, std::memory_order_relaxed);
  std::string remote;  // long-polling: no socket of its own
  if (ws_) {
    beast::error_code ec;
    auto peer = beast::get_lowest_layer(*ws_).remote_endpoint(ec);
    if (!ec) remote = peer.address().to_string() + ":" + std::to_string(peer.port());
  }
  flow_.opened(remote);
  socketio::EngineIoOpen open;
  open.sid = sid_;
  open.websocket_upgrade = polling_ != nullptr;
  open.ping_interval_ms = static_cast<std::uint64_t>(ctx_.options.ping_interval.count());
  open.ping_timeout_ms = open.ping_interval_ms;
  open.max_payload = ctx_.options.max_message_bytes;
  auto now = steady_clock::now();
  connect_deadline_ = now + ctx_.options.auth_timeout;
  next_ping_ = now + ctx_.options.ping_interval;
  schedule_tick();
  if (polling_) {
    polling_->last_seen = now;
    return socketio::encode_engineio_open(open);
  }
  send(socketio::encode_engineio_open(open));
  wait_message();
  return {};
}

void SocketIoSession::wait_message() {
  asio::mutable_buffer first(&first_byte_, 1);
  auto on_read = [self = shared_from_this()](beast::error_code ec, std::size_t n) {
    if (ec) return self->finish(ec);
    asio::co_spawn(self->ws_->get_executor(), read_message(self, n), asio::detached);
  };
  ws::RecyclingCacheHold hold;
  ws_->async_read_some(first, asio::bind_allocator(ws::ExactAllocator<void>(), std::move(on_read)));
}

awaitable<void> SocketIoSession::read_message(Ptr self, std::size_t first_bytes) {
  SocketIoSession& s = *self;
  beast::error_code ec;
  beast::flat_buffer buffer;
  if (first_bytes != 0) {
    auto room = buffer.prepare(first_bytes);
    std::memcpy(room.data(), &s.first_byte_, first_bytes);
    buffer.commit(first_bytes);
  }
  if (!s.ws_->is_message_done()) {
    if (s.closing_) {  // as WebSocketSession: the writer's close consumes the rest
      if (!s.writer_running_) co_return s.finish(websocket::error::closed);
      s.reader_parked_ = true;
      co_return;
    }
    auto exact =
        asio::bind_allocator(ws::ExactAllocator<void>(), asio::redirect_error(use_awaitable, ec));
    co_await s.ws_->async_read(buffer, std::move(exact));
  }
  if (ec) co_return s.finish(ec);
  s.shard_.metrics().messages_in.fetch_add(1, std::memory_order_relaxed);
  s.shard_.metrics().bytes_in.fetch_add(buffer.size(), std::memory_order_relaxed);
  if (!s.closing_) {
    try {
      if (!s.ws_->got_text()) {
        spdlog::info("conn={} socket.io binary message: closing 1003", s.id_);
        s.close(1003, "binary packets are not supported", false);
      } else {
        std::string_view text(static_cast<const char*>(buffer.data().data()), buffer.size());
        co_await s.handle(text);
      }
    } catch (const std::exception& e) {
      spdlog::error("conn={} socket.io packet failed: {}", s.id_, e.what());
      s.close(1011, "internal error", true);
    }
  }
  if (s.dead_) co_return s.finish(ec);
  s.wait_message();
}

void SocketIoSession::finish(beast::error_code ec) {
  if (dead_) return;
  if (ws_ && ws_->next_layer().overflowed()) {
    flow_.closing(DisconnectReason::slow_consumer, 0);
    LogEvent(spdlog::level::warn, "slow_consumer", "control frames (pongs) left unread: closed")
        .add("conn", id_)
        .add("transport", "socketio")
        .add("user", identity_.user)
        .emit();
  }
  dead_ = true;
  if (timer_) timer_->cancel();
  beast::error_code ignored;
  if (ws_ && !writer_running_) beast::get_lowest_layer(*ws_).close(ignored);
  if (polling()) wake_poll();  // a pending GET answers "1"
  ctx_.socketio_sessions.remove(sid_);
  if (connected_ && log_) ctx_.socketio_recovery.put(pid_, identity_.user, std::move(*log_));
  flow_.release(ec == beast::error::timeout ? DisconnectReason::timeout : DisconnectReason::client,
                ws_ && ec == websocket::error::closed ? ws_->reason().code : 0);
  shard_.detach(this);
  shard_.metrics().connections.fetch_sub(1, std::memory_order_relaxed);
  shard_.metrics().socketio_connections.fetch_sub(1, std::memory_order_relaxed);
  if (holds_slot_) {
    holds_slot_ = false;
    ctx_.release_connection();
  }
  spdlog::debug("conn={} socket.io closed: {}", id_, ec.message());
}

// Socket.IO has no close code the client shows: a close the client should not retry
// (reconnect false: /api/disconnect, expired token) first leaves the namespace ("41",
// the client's "io server disconnect"); otherwise the transport just closes and the
// client reconnects ("transport close") with recovery.
void SocketIoSession::exclude_if_stalled(std::chrono::steady_clock::time_point now,
                                         std::chrono::steady_clock::duration stall) noexcept {
  sweep_downstream(flow_.queue(), ws_ ? beast::get_lowest_layer(*ws_).native_handle() : -1, now,
                   stall);
}

void SocketIoSession::close(int code, std::string_view reason, bool reconnect) {
  if (closing_ || dead_) return;
  flow_.closing(code, reason);
  if (!reconnect && connected_) {
    flow_.push_final(OutboundFrame{
        std::make_shared<const std::string>(socketio::encode_disconnect_frame()), {}});
  }
  closing_ = true;
  if (!connected_ && holds_slot_) {
    holds_slot_ = false;
    ctx_.release_connection();
  }
  close_reason_ = std::make_unique<websocket::close_reason>(static_cast<std::uint16_t>(code));
  close_reason_->reason.assign(reason.data(), reason.size());
  close_deadline_ = steady_clock::now() + close_timeout;
  start_writer();
  schedule_tick();
}

void SocketIoSession::send(std::string packet) {
  enqueue(OutboundFrame{std::make_shared<const std::string>(std::move(packet)), {}});
}

void SocketIoSession::enqueue(OutboundFrame frame) {
  if (closing_ || dead_) return;
  if (flow_.push(std::move(frame))) start_writer();
}

void SocketIoSession::start_writer() {
  if (polling()) return wake_poll();  // the pending (or next) GET takes the frames
  if (writer_running_ || dead_) return;
  writer_running_ = true;
  shard_.schedule_write(shared_from_this());  // as WebSocketSession: in the write pass
}

// Straight to the socket when it takes everything (WebSocketWriter::try_write); the
// writer coroutine only when it would block or a close follows.
void SocketIoSession::write_pending() {
  if (!closing_ && !dead_ && WebSocketWriter(*ws_, flow_).try_write()) {
    writer_running_ = false;
    return;
  }
  asio::co_spawn(ws_->get_executor(), write_loop(shared_from_this()), asio::detached);
}

awaitable<void> SocketIoSession::write_loop(Ptr self) {
  SocketIoSession& s = *self;
  WebSocketWriter writer(*s.ws_, s.flow_);
  beast::error_code ec = co_await writer.drain(s.dead_);
  if (ec) s.dead_ = true;
  if (s.closing_ && !s.dead_ && s.close_reason_) {
    co_await s.ws_->async_close(*s.close_reason_, asio::redirect_error(use_awaitable, ec));
  }
  if (s.dead_ || ec) beast::get_lowest_layer(*s.ws_).close(ec);
  s.writer_running_ = false;
  if (s.reader_parked_) {
    s.reader_parked_ = false;
    s.finish(websocket::error::closed);
  }
}

// One timer: the next Engine.IO ping, the CONNECT deadline (before CONNECT), the
// token's expiry, or the close deadline (closing).
void SocketIoSession::schedule_tick() {
  if (dead_) return;
  steady_clock::time_point next = closing_ ? close_deadline_ : next_ping_;
  if (!closing_ && !connected_) next = std::min(next, connect_deadline_);
  if (!closing_ && connected_ && identity_.expires_at != 0) {
    next = std::min(next, expiry_deadline(identity_.expires_at, std::chrono::system_clock::now(),
                                          steady_clock::now()));
  }
  if (!timer_) timer_ = std::make_unique<ws::Timer>(shard_.context().get_executor());
  timer_->expires_at(next);
  timer_->async_wait([self = shared_from_this()](beast::error_code ec) {
    if (!ec) self->on_tick();
  });
}

void SocketIoSession::on_tick() {
  if (dead_) return;
  auto now = steady_clock::now();
  if (closing_) {
    if (now < close_deadline_) return schedule_tick();
    spdlog::info("conn={} did not complete the close in 5 s: dropping the socket", id_);
    if (polling()) return finish(websocket::error::closed);
    beast::error_code ec;
    beast::get_lowest_layer(*ws_).close(ec);
    return;
  }
  // Polling: the client must come back (GET or POST) within ping_interval + timeout.
  if (polling() && !polling_->get_pending && !polling_->upgrading &&
      now - polling_->last_seen > 2 * ctx_.options.ping_interval) {
    spdlog::info("conn={} polling client gone: evicted", id_);
    flow_.closing(DisconnectReason::timeout, 0);
    return finish(websocket::error::closed);
  }
  if (!connected_ && now >= connect_deadline_) {
    LogEvent(spdlog::level::info, "auth_failed", "no CONNECT in time: closing 4001")
        .add("conn", id_)
        .add("transport", "socketio")
        .emit();
    return close(4001, "connect timeout", false);
  }
  if (connected_ && token_expired(identity_.expires_at, std::chrono::system_clock::now())) {
    LogEvent(spdlog::level::info, "token_expired", "token expired: closing")
        .add("conn", id_)
        .add("transport", "socketio")
        .add("user", identity_.user)
        .emit();
    return close(4001, "token expired", false);
  }
  if (now >= next_ping_) {
    send("2");
    next_ping_ = now + ctx_.options.ping_interval;
  }
  schedule_tick();
}

awaitable<void> run_socketio_session(ServerContext& ctx, Shard& shard, asio::ip::tcp::socket socket,
                                     HttpRequest request, std::optional<Identity> identity) {
  try {
    auto session = std::make_shared<SocketIoSession>(
        ctx, shard, std::optional<ws::Socket>(ws::rehome(shard.context(), std::move(socket))),
        std::move(identity));
    bool accepted = co_await session->accept(request);
    if (accepted) session->start();
  } catch (const std::exception& e) {
    spdlog::error("socket.io session failed: {}", e.what());
  }
}

}  // namespace herald::gateway
