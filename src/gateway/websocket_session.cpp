// WebSocketSession: one client connection, on its shard thread. Shaped so that an idle
// connection costs little (the peer bench's S4: 10,000 idle subscribers): between
// messages it holds the session, Beast's stream state, one pending one-byte read and
// its subscriptions; no coroutine frame, no read or write buffer, and no timer unless
// a deadline applies.
//   - Reading: a callback waits for the first payload byte of the next message, then a
//     coroutine reads the rest into a buffer that lives only while the message is
//     handled, runs the command and re-arms the wait. Commands run one at a time, in
//     order.
//   - Writing: when the SendQueue gets frames, the shard's write pass writes them straight
//     to the socket (WebSocketWriter::try_write); only when the socket would block (or
//     a close follows) a writer coroutine takes over and ends when the queue is empty;
//     one write in flight, each batch coalesced into one socket write. Close is always done by the
//     writer after the queued frames, so `disconnect` is the last frame a client sees before the
//     close handshake.
//   - Deadlines: one timer, created on first use, serves whichever applies: the
//     first-frame auth deadline, the token's `exp`, or the 5 s close deadline.
#include "gateway/websocket_session.hpp"

#include <herald/protocol/client_frame.hpp>
#include <herald/protocol/server_frame.hpp>

#include "gateway/channel_commands.hpp"
#include "gateway/connection.hpp"
#include "gateway/downstream_probe.hpp"
#include "gateway/log_event.hpp"
#include "gateway/rate_limit_enforcement.hpp"
#include "gateway/rate_limiter.hpp"
#include "gateway/server_context.hpp"
#include "gateway/subscription_flow.hpp"
#include "gateway/token_lifetime.hpp"
#include "gateway/websocket_transport.hpp"
#include "gateway/websocket_writer.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/bind_allocator.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <algorithm>
#include <cstring>
#include <memory>

namespace herald::gateway {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using asio::awaitable;
using asio::use_awaitable;
using std::chrono::steady_clock;
using std::chrono::system_clock;
using namespace protocol;

// A peer that does not complete the close handshake in this time loses its socket.
constexpr std::chrono::seconds close_timeout{5};

using ws::ExactAllocator;
using ws::Socket;
using ws::Timer;

class WebSocketSession final : public Connection,
                               public std::enable_shared_from_this<WebSocketSession> {
 public:
  using Ptr = std::shared_ptr<WebSocketSession>;

  WebSocketSession(ServerContext& ctx, Shard& shard, Socket socket,
                   std::optional<Identity> identity)
      : ctx_(ctx),
        shard_(shard),
        ws_(std::move(socket)),
        id_(ctx.new_connection_id()),
        identity_(identity.value_or(Identity{})),
        authenticated_(identity.has_value()),
        flow_(ctx, shard, *this, "ws"),
        limiter_(ctx.options.client_rate_limit) {}

  /// The opening handshake; on failure releases the connection slot and returns false.
  awaitable<bool> accept(HttpRequest& req);
  /// After accept(): registers the connection, greets it (or waits for its `auth`
  /// frame) and starts reading. The pending read owns the session from then on.
  void start();

  void on_publication(const realtime::PublicationPtr& p) override {
    if (flow_.accept(p)) enqueue(OutboundFrame{realtime::frame_of(p), p->published_at});
  }
  void close(int code, std::string_view reason, bool reconnect) override;
  void exclude_if_stalled(steady_clock::time_point now,
                          steady_clock::duration stall) noexcept override {
    sweep_downstream(flow_.queue(), beast::get_lowest_layer(ws_).native_handle(), now, stall);
  }
  void write_pending() override;
  const std::string& id() const noexcept override { return id_; }
  const std::string& user() const noexcept override { return identity_.user; }

 private:
  void wait_message();
  static awaitable<void> read_message(Ptr self, std::size_t first_bytes);
  void finish(beast::error_code ec);
  void start_writer();
  static awaitable<void> write_loop(Ptr self);
  std::optional<steady_clock::time_point> next_deadline() const;
  void schedule_deadline();
  void on_deadline();
  awaitable<void> handle(std::string_view text);
  void authenticate(std::optional<std::int64_t> id, const AuthFrame& f);
  awaitable<void> subscribe(std::optional<std::int64_t> id, SubscribeFrame& f);
  awaitable<void> command(std::optional<std::int64_t> id, ClientCommand& cmd);
  bool rate_limited(std::optional<std::int64_t> id);

  void send(std::string frame) {
    enqueue(OutboundFrame{std::make_shared<const std::string>(std::move(frame)), {}});
  }
  void reply(std::optional<std::int64_t> id, std::string_view result) {
    if (id) send(encode_reply(*id, result));
  }
  void error(std::optional<std::int64_t> id, int code, std::string_view message) {
    send(encode_error(id, code, message));
  }
  void welcome() {
    auto secs = static_cast<std::uint32_t>((ctx_.options.ping_interval.count() + 999) / 1000);
    send(encode_welcome(id_, identity_.user, secs));
  }
  void enqueue(OutboundFrame frame);
  void apply_output_limit();
  void release_slot();
  void cleanup(DisconnectReason otherwise, int peer_code);
  ShardMetrics& m() const noexcept { return shard_.metrics(); }

  ServerContext& ctx_;
  Shard& shard_;
  ws::Stream ws_;
  std::string id_;
  Identity identity_;
  bool authenticated_;
  bool writer_running_ = false;  // a write_loop is spawned or running
  bool closing_ = false;  // a close was requested: no new frames, writer closes after the queue
  bool dead_ = false;     // the transport failed or the reader ended
  bool socket_dropped_ = false;  // the close deadline passed and the socket was closed
  bool holds_slot_ = true;       // counts toward max_connections (release_slot)
  bool reader_parked_ = false;   // no read pending while closing: the writer calls finish()
  char first_byte_ = 0;          // target of the idle one-byte read
  SubscriptionFlow flow_;
  RateLimiter limiter_;
  // The auth deadline before authentication, the close deadline while closing.
  steady_clock::time_point phase_deadline_{};
  std::unique_ptr<Timer> deadline_timer_;                  // created on first deadline
  std::unique_ptr<websocket::close_reason> close_reason_;  // set by close()
};

awaitable<bool> WebSocketSession::accept(HttpRequest& req) {
  beast::error_code ec;
  websocket::stream_base::timeout timeouts;
  timeouts.handshake_timeout = std::chrono::seconds(10);
  // Beast pings after half the idle timeout of silence and drops the peer after the
  // whole of it: ping every ping_interval, evict after two.
  timeouts.idle_timeout = 2 * ctx_.options.ping_interval;
  timeouts.keep_alive_pings = true;
  ws_.set_option(timeouts);
  ws_.set_option(websocket::stream_base::decorator(
      [](websocket::response_type& res) { res.set(beast::http::field::server, "herald"); }));
  ws_.read_message_max(ctx_.options.max_message_bytes);
  beast::get_lowest_layer(ws_).set_option(asio::ip::tcp::no_delay(true), ec);
  ws_.auto_fragment(false);  // one frame per message: nothing to reassemble, nothing to buffer
  // Close codes of 5000 and above are undefined (RFC 6455 section 7.4.2): fail 1002
  // rather than echo them as Beast would.
  ws_.control_callback([this](websocket::frame_type kind, beast::string_view) {
    if (kind == websocket::frame_type::close && ws_.reason().code >= 5000)
      ws_.next_layer().replace_next_close_code(websocket::close_code::protocol_error);
  });
  co_await ws_.async_accept(req, asio::redirect_error(use_awaitable, ec));
  if (ec) {
    release_slot();
    co_return false;
  }
  ws_.text(true);
  co_return true;
}

void WebSocketSession::start() {
  shard_.attach(this);
  m().connections.fetch_add(1, std::memory_order_relaxed);
  beast::error_code ec;
  auto remote = beast::get_lowest_layer(ws_).remote_endpoint(ec);
  flow_.opened(ec ? std::string()
                  : remote.address().to_string() + ":" + std::to_string(remote.port()));
  apply_output_limit();
  if (authenticated_) {
    welcome();
  } else {
    phase_deadline_ = steady_clock::now() + ctx_.options.auth_timeout;
  }
  schedule_deadline();
  wait_message();
}

// What may wait unwritten for the peer: queued frames and, separately, Beast's control
// frames (pongs to its pings). Small until the connection authenticates, so that an
// anonymous peer cannot make the server buffer much (a ping flood without reading
// took 1.5 GB in 7 s before control frames were bounded).
void WebSocketSession::apply_output_limit() {
  std::size_t cap = ctx_.options.max_send_queue_bytes;
  if (!authenticated_) cap = std::min(cap, ctx_.options.unauthenticated_output_bytes);
  flow_.queue().set_limit(cap);
  ws_.next_layer().limit_control_output(cap);
}

// The connection stops counting toward max_connections: when it ends, or when it is
// closed before it authenticated (the close handshake may still take close_timeout).
void WebSocketSession::release_slot() {
  if (!holds_slot_) return;
  holds_slot_ = false;
  ctx_.release_connection();
}

// The idle wait: the first payload byte of the next message, read into the session
// itself, so that a connection with nothing to say holds no read buffer and no
// coroutine frame. (Beast's read operation stays pending meanwhile: cancelling it
// would fail the stream, so it cannot be swapped for a smaller socket wait.)
void WebSocketSession::wait_message() {
  asio::mutable_buffer first(&first_byte_, 1);
  auto on_read = [self = shared_from_this()](beast::error_code ec, std::size_t n) {
    if (ec) return self->finish(ec);
    asio::co_spawn(self->ws_.get_executor(), read_message(self, n), asio::detached);
  };
  ws::RecyclingCacheHold hold;  // Beast re-arms its idle timer as the read starts
  ws_.async_read_some(first, asio::bind_allocator(ExactAllocator<void>(), std::move(on_read)));
}

awaitable<void> WebSocketSession::read_message(Ptr self, std::size_t first_bytes) {
  WebSocketSession& s = *self;
  beast::error_code ec;
  beast::flat_buffer buffer;  // the whole message; freed once it has been handled
  if (first_bytes != 0) {
    auto room = buffer.prepare(first_bytes);
    std::memcpy(room.data(), &s.first_byte_, first_bytes);
    buffer.commit(first_bytes);
  }
  if (!s.ws_.is_message_done()) {
    // Closing: Beast's close (run by the writer) discards the rest of this message
    // while it waits for the peer's close frame. Reading it here too would race that
    // close (Beast then sizes a read for a frame the close consumed: an assertion in
    // Debug builds, seen with a burst of frames from a client being closed 1008).
    // The reader parks instead; the writer ends it once the close is done.
    if (s.closing_) {
      if (!s.writer_running_) co_return s.finish(websocket::error::closed);
      s.reader_parked_ = true;
      co_return;
    }
    // Exact-size blocks here too: a recycled read block would otherwise be what
    // Beast's idle timer, re-armed by the next idle read, settles in for hours.
    auto exact =
        asio::bind_allocator(ExactAllocator<void>(), asio::redirect_error(use_awaitable, ec));
    co_await s.ws_.async_read(buffer, std::move(exact));
  }
  if (ec) co_return s.finish(ec);
  s.m().messages_in.fetch_add(1, std::memory_order_relaxed);
  s.m().bytes_in.fetch_add(buffer.size(), std::memory_order_relaxed);
  if (!s.closing_) {
    try {
      if (!s.ws_.got_text()) {
        s.error(std::nullopt, 400, "binary frames are not supported");
      } else {
        std::string_view text(static_cast<const char*>(buffer.data().data()), buffer.size());
        co_await s.handle(text);
      }
    } catch (const std::exception& e) {
      spdlog::error("conn={} command failed: {}", s.id_, e.what());
      s.error(std::nullopt, 500, "internal error");
    }
  }
  if (s.dead_) co_return s.finish(ec);
  s.wait_message();
}

// The reader ended (exactly once): the connection is over.
void WebSocketSession::finish(beast::error_code ec) {
  if (ec == websocket::error::message_too_big) {
    spdlog::info("conn={} frame over {} bytes: closed 1009", id_, ctx_.options.max_message_bytes);
    flow_.closing(DisconnectReason::protocol_error, 1009);
  }
  if (ws_.next_layer().overflowed()) {
    flow_.closing(DisconnectReason::slow_consumer, 0);
    LogEvent(spdlog::level::warn, "slow_consumer", "control frames (pongs) left unread: closed")
        .add("conn", id_)
        .add("transport", "ws")
        .add("user", identity_.user)
        .add("limit", flow_.queue().limit())
        .emit();
  }
  dead_ = true;
  if (deadline_timer_) deadline_timer_->cancel();
  // A running writer closes the socket when its write or close handshake ends.
  beast::error_code ignored;
  if (!writer_running_) beast::get_lowest_layer(ws_).close(ignored);
  // Not closed by this side: the peer's close frame (its code), or it went away.
  const bool timed_out = ec == beast::error::timeout;
  cleanup(timed_out ? DisconnectReason::timeout : DisconnectReason::client,
          ec == websocket::error::closed ? ws_.reason().code : 0);
  spdlog::debug("conn={} ws closed: {}", id_, ec.message());
}

void WebSocketSession::cleanup(DisconnectReason otherwise, int peer_code) {
  flow_.release(otherwise, peer_code);
  shard_.detach(this);
  m().connections.fetch_sub(1, std::memory_order_relaxed);
  release_slot();
}

void WebSocketSession::close(int code, std::string_view reason, bool reconnect) {
  if (closing_ || dead_) return;
  flow_.closing(code, reason);
  OutboundFrame frame{
      std::make_shared<const std::string>(encode_disconnect(code, reason, reconnect)), {}};
  flow_.push_final(std::move(frame));
  closing_ = true;
  if (!authenticated_) release_slot();
  close_reason_ = std::make_unique<websocket::close_reason>(static_cast<std::uint16_t>(code));
  close_reason_->reason.assign(reason.data(), reason.size());
  // A peer that stopped reading would hold the flush (and so the close) forever.
  phase_deadline_ = steady_clock::now() + close_timeout;
  start_writer();
  schedule_deadline();
}

void WebSocketSession::enqueue(OutboundFrame frame) {
  if (closing_ || dead_) return;
  if (flow_.push(std::move(frame))) start_writer();
}

void WebSocketSession::start_writer() {
  if (writer_running_ || dead_) return;
  writer_running_ = true;
  // Not written here: in the shard's write pass (posted), so that frames queued by the
  // rest of the current handler (a fan-out, a reply and the messages it recovered)
  // join the same batch, and the writer never runs inside another coroutine's
  // resumption.
  shard_.schedule_write(shared_from_this());
}

// Most of the time the socket takes the frames at once and no writer coroutine is
// needed.
void WebSocketSession::write_pending() {
  if (!closing_ && !dead_ && WebSocketWriter(ws_, flow_).try_write()) {
    writer_running_ = false;
    return;
  }
  asio::co_spawn(ws_.get_executor(), write_loop(shared_from_this()), asio::detached);
}

awaitable<void> WebSocketSession::write_loop(Ptr self) {
  WebSocketSession& s = *self;
  WebSocketWriter writer(s.ws_, s.flow_);
  beast::error_code ec = co_await writer.drain(s.dead_);
  if (ec) s.dead_ = true;
  if (s.closing_ && !s.dead_ && s.close_reason_) {
    co_await s.ws_.async_close(*s.close_reason_, asio::redirect_error(use_awaitable, ec));
  }
  if (s.dead_ || ec) {
    beast::get_lowest_layer(s.ws_).close(ec);  // unblocks the reader
  }
  s.writer_running_ = false;
  if (s.reader_parked_) {
    s.reader_parked_ = false;
    s.finish(websocket::error::closed);
  }
}

std::optional<steady_clock::time_point> WebSocketSession::next_deadline() const {
  if (closing_) {
    if (socket_dropped_) return std::nullopt;
    return phase_deadline_;
  }
  if (!authenticated_) return phase_deadline_;
  if (identity_.expires_at != 0)
    return expiry_deadline(identity_.expires_at, system_clock::now(), steady_clock::now());
  return std::nullopt;
}

// (Re)arms the deadline timer for whatever applies now; called on every change of
// phase (open, authenticated, refreshed, closing). No deadline: no timer is created.
void WebSocketSession::schedule_deadline() {
  if (dead_) return;
  auto next = next_deadline();
  if (!next) {
    if (deadline_timer_) deadline_timer_->cancel();
    return;
  }
  if (!deadline_timer_) deadline_timer_ = std::make_unique<Timer>(ws_.get_executor());
  deadline_timer_->expires_at(*next);  // aborts the previous wait
  deadline_timer_->async_wait([self = shared_from_this()](beast::error_code ec) {
    if (!ec) self->on_deadline();
  });
}

void WebSocketSession::on_deadline() {
  if (dead_) return;
  // A wait that completed just before a re-arm may run late: act only on what is
  // due now (this also re-arms when the steady clock ran ahead of the token's exp).
  auto due = next_deadline();
  if (!due) return;
  if (steady_clock::now() < *due) return schedule_deadline();
  if (closing_) {
    spdlog::info("conn={} did not complete the close in 5 s: dropping the socket", id_);
    socket_dropped_ = true;
    beast::error_code ec;
    beast::get_lowest_layer(ws_).close(ec);
  } else if (!authenticated_) {
    LogEvent(spdlog::level::info, "auth_failed", "no auth frame in time: closing 4001")
        .add("conn", id_)
        .add("transport", "ws")
        .emit();
    close(4001, "authentication timeout", false);
  } else {
    LogEvent(spdlog::level::info, "token_expired", "token expired: closing 4001")
        .add("conn", id_)
        .add("transport", "ws")
        .add("user", identity_.user)
        .emit();
    close(4001, "token expired", false);
  }
}

bool WebSocketSession::rate_limited(std::optional<std::int64_t> id) {
  const RateLimiter::Verdict verdict = limiter_.admit();
  if (!enforce_rate_limit(verdict, *this, "ws", m())) return false;
  if (verdict == RateLimiter::Verdict::refuse) error(id, 429, "rate limited");
  return true;
}

awaitable<void> WebSocketSession::handle(std::string_view text) {
  ParsedFrame frame = parse_client_frame(text);
  if (rate_limited(frame.id)) co_return;
  if (!frame.ok()) {
    error(frame.id, 400, frame.message);
    co_return;
  }
  if (auto* auth = std::get_if<AuthFrame>(&*frame.command)) {
    authenticate(frame.id, *auth);
    co_return;
  }
  if (!authenticated_) {
    error(frame.id, 401, "authentication required");
    co_return;
  }
  co_await command(frame.id, *frame.command);
}

// First `auth` frame: authenticates or closes 4001. Later ones (auth on) refresh the
// token: same user required; the new token's claims and exp replace the old ones.
void WebSocketSession::authenticate(std::optional<std::int64_t> id, const AuthFrame& f) {
  if (!authenticated_) {
    auto who = ctx_.access.authenticate(f.token);
    if (!who) {
      LogEvent(spdlog::level::info, "auth_failed", "bad token in auth frame: closing 4001")
          .add("conn", id_)
          .add("transport", "ws")
          .emit();
      close(4001, "unauthorized", false);
      return;
    }
    identity_ = std::move(*who);
    authenticated_ = true;
    apply_output_limit();
    welcome();
    reply(id, "{}");
    schedule_deadline();  // from the auth deadline to the token's expiry
    return;
  }
  if (!ctx_.access.auth_enabled()) return error(id, 400, "already authenticated");
  auto fresh = ctx_.access.authenticate(f.token);
  RefreshVerdict verdict = check_refresh(identity_, fresh);
  if (!verdict.accepted()) {
    spdlog::info("conn={} user={} token refresh refused: {}", id_, identity_.user, verdict.message);
    return error(id, verdict.code, verdict.message);
  }
  identity_ = std::move(*fresh);
  schedule_deadline();
  reply(id, "{}");
}

awaitable<void> WebSocketSession::command(std::optional<std::int64_t> id, ClientCommand& cmd) {
  if (auto* f = std::get_if<SubscribeFrame>(&cmd)) co_return co_await subscribe(id, *f);
  if (std::holds_alternative<PingFrame>(cmd)) co_return reply(id, "{}");
  if (auto* f = std::get_if<UnsubscribeFrame>(&cmd)) {
    flow_.unsubscribe(f->channel);
    co_return reply(id, "{}");
  }
  // The rest act on a channel without holding it.
  CommandOutcome outcome = co_await run_channel_command(ctx_, m(), identity_, cmd);
  if (outcome.code != 0) co_return error(id, outcome.code, outcome.text);
  reply(id, outcome.text);
}

awaitable<void> WebSocketSession::subscribe(std::optional<std::int64_t> id, SubscribeFrame& f) {
  SubscriptionFlow::Outcome r = co_await flow_.subscribe(f.channel, f.since, identity_);
  if (r.code != 0) co_return error(id, r.code, r.message);
  reply(id, encode_subscribe_result(f.channel, r.position, r.recovered));
  for (const auto& p : r.pending) enqueue(OutboundFrame{realtime::frame_of(p), p->published_at});
}

}  // namespace

awaitable<void> run_websocket_session(ServerContext& ctx, Shard& shard,
                                      asio::ip::tcp::socket socket, HttpRequest request,
                                      std::optional<Identity> identity) {
  // This frame (and the upgrade request in it) ends with the handshake; from then on
  // the session is owned by its pending operations.
  try {
    auto session = std::make_shared<WebSocketSession>(
        ctx, shard, ws::rehome(shard.context(), std::move(socket)), std::move(identity));
    bool accepted = co_await session->accept(request);
    if (accepted) session->start();
  } catch (const std::exception& e) {
    spdlog::error("websocket session failed: {}", e.what());
  }
}

}  // namespace herald::gateway
