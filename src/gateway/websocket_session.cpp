// WebSocketSession: one client connection. Two coroutines on the shard thread: the
// reader (parses frames, runs commands, in order) and the writer (drains the
// SendQueue, one write in flight, each batch coalesced into one socket write). Close is
// always done by the writer after the queued frames, so `disconnect` is the last
// frame a client sees before the close handshake.
#include "gateway/websocket_session.hpp"

#include <herald/gateway/protocol/client_frame.hpp>
#include <herald/gateway/protocol/server_frame.hpp>

#include "gateway/coalescing_stream.hpp"
#include "gateway/connection.hpp"
#include "gateway/rate_limiter.hpp"
#include "gateway/send_queue.hpp"
#include "gateway/server_context.hpp"
#include "gateway/subscription_set.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>

namespace herald::gateway {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using asio::awaitable;
using asio::use_awaitable;
using namespace protocol;

// Frames taken from the queue per coalesced batch (one socket write): bounds the
// time one connection holds the shard between yields.
constexpr std::size_t max_batch = 256;

class WebSocketSession final : public Connection,
                               public std::enable_shared_from_this<WebSocketSession> {
 public:
  WebSocketSession(ServerContext& ctx, Shard& shard, asio::ip::tcp::socket socket,
                   std::optional<Identity> identity)
      : ctx_(ctx),
        shard_(shard),
        m_(shard.metrics()),
        ws_(std::move(socket)),
        id_(ctx.new_connection_id()),
        identity_(identity.value_or(Identity{})),
        authenticated_(identity.has_value()),
        queue_(ctx.options.max_send_queue_bytes, &shard.metrics().queued_bytes),
        wake_timer_(ws_.get_executor()),
        auth_timer_(ws_.get_executor()),
        close_timer_(ws_.get_executor()),
        limiter_(ctx.options.client_rate_limit) {}

  awaitable<void> run(HttpRequest req);

  void on_publication(const realtime::PublicationPtr& p) override {
    if (subs_.accept(p)) enqueue(OutboundFrame{realtime::frame_of(p), p->published_at});
  }
  void close(int code, std::string_view reason, bool reconnect) override;
  const std::string& id() const noexcept override { return id_; }
  const std::string& user() const noexcept override { return identity_.user; }

 private:
  awaitable<void> write_loop();
  awaitable<void> auth_deadline();
  awaitable<void> close_deadline();
  awaitable<void> handle(std::string_view text);
  awaitable<void> subscribe(std::optional<std::int64_t> id, SubscribeFrame& f);
  void unsubscribe(const std::string& channel);
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
  void enqueue(OutboundFrame frame);
  void wake() {
    if (writer_waiting_) wake_timer_.cancel();
  }
  void cleanup();

  ServerContext& ctx_;
  Shard& shard_;
  ShardMetrics& m_;
  websocket::stream<CoalescingStream<beast::tcp_stream>> ws_;
  std::string id_;
  Identity identity_;
  bool authenticated_;
  SendQueue queue_;
  asio::steady_timer wake_timer_;
  asio::steady_timer auth_timer_;
  asio::steady_timer close_timer_;  // bounds how long a close may take (stuck readers)
  SubscriptionSet subs_;
  RateLimiter limiter_;
  std::chrono::steady_clock::time_point limit_window_{};
  unsigned limited_in_window_ = 0;
  bool writer_waiting_ = false;
  bool closing_ = false;  // a close was requested: no new frames, writer closes after the queue
  bool dead_ = false;     // the transport failed or the reader ended
  std::optional<websocket::close_reason> close_reason_;
};

awaitable<void> WebSocketSession::run(HttpRequest req) {
  auto self = shared_from_this();
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
  auto& socket = beast::get_lowest_layer(ws_).socket();
  socket.set_option(asio::ip::tcp::no_delay(true), ec);
  ws_.auto_fragment(false);  // one frame per message: nothing to reassemble, nothing to buffer
  {
    // The upgrade request is needed only for the handshake: free it before the
    // connection settles in for hours.
    HttpRequest upgrade = std::move(req);
    co_await ws_.async_accept(upgrade, asio::redirect_error(use_awaitable, ec));
  }
  if (ec) {
    ctx_.release_connection();
    co_return;
  }
  ws_.text(true);
  shard_.attach(this);
  m_.connections.fetch_add(1, std::memory_order_relaxed);
  spdlog::debug("conn={} ws open user={}", id_, identity_.user);

  asio::co_spawn(
      ws_.get_executor(), [self]() { return self->write_loop(); }, asio::detached);
  if (authenticated_) {
    auto secs = static_cast<std::uint32_t>((ctx_.options.ping_interval.count() + 999) / 1000);
    send(encode_welcome(id_, identity_.user, secs));
  } else {
    asio::co_spawn(
        ws_.get_executor(), [self]() { return self->auth_deadline(); }, asio::detached);
  }

  beast::flat_buffer buffer;
  while (!dead_) {
    std::size_t n = co_await ws_.async_read(buffer, asio::redirect_error(use_awaitable, ec));
    if (ec) {
      if (ec == websocket::error::message_too_big) {
        spdlog::info("conn={} frame over {} bytes: closed 1009", id_,
                     ctx_.options.max_message_bytes);
      }
      break;
    }
    m_.messages_in.fetch_add(1, std::memory_order_relaxed);
    m_.bytes_in.fetch_add(n, std::memory_order_relaxed);
    if (!closing_) {
      try {
        if (!ws_.got_text()) {
          error(std::nullopt, 400, "binary frames are not supported");
        } else {
          co_await handle(
              std::string_view(static_cast<const char*>(buffer.data().data()), buffer.size()));
        }
      } catch (const std::exception& e) {
        spdlog::error("conn={} command failed: {}", id_, e.what());
        error(std::nullopt, 500, "internal error");
      }
    }
    buffer.consume(buffer.size());
  }
  dead_ = true;
  wake();
  auth_timer_.cancel();
  close_timer_.cancel();
  cleanup();
  spdlog::debug("conn={} ws closed: {}", id_, ec.message());
}

void WebSocketSession::cleanup() {
  for (const std::string& channel : subs_.channels()) unsubscribe(channel);
  shard_.detach(this);
  m_.connections.fetch_sub(1, std::memory_order_relaxed);
  ctx_.release_connection();
}

void WebSocketSession::close(int code, std::string_view reason, bool reconnect) {
  if (closing_ || dead_) return;
  OutboundFrame frame{
      std::make_shared<const std::string>(encode_disconnect(code, reason, reconnect)), {}};
  if (!queue_.push(frame)) {
    queue_.clear();
    queue_.push(std::move(frame));
  }
  closing_ = true;
  websocket::close_reason cr(static_cast<std::uint16_t>(code));
  cr.reason.assign(reason.data(), reason.size());
  close_reason_ = std::move(cr);
  wake();
  // A peer that stopped reading would hold the flush (and so the close) forever.
  auto self = shared_from_this();
  asio::co_spawn(
      ws_.get_executor(), [self] { return self->close_deadline(); }, asio::detached);
}

awaitable<void> WebSocketSession::close_deadline() {
  auto self = shared_from_this();
  beast::error_code ec;
  close_timer_.expires_after(std::chrono::seconds(5));
  co_await close_timer_.async_wait(asio::redirect_error(use_awaitable, ec));
  if (!ec && !dead_) {
    spdlog::info("conn={} did not complete the close in 5 s: dropping the socket", id_);
    beast::get_lowest_layer(ws_).socket().close(ec);
  }
}

void WebSocketSession::enqueue(OutboundFrame frame) {
  if (closing_ || dead_) return;
  if (!queue_.push(std::move(frame))) {
    m_.slow_consumers.fetch_add(1, std::memory_order_relaxed);
    spdlog::warn(
        "conn={} user={} slow consumer: {} bytes queued (limit {}), disconnecting with 3008", id_,
        identity_.user, queue_.bytes(), ctx_.options.max_send_queue_bytes);
    queue_.clear();
    close(3008, "slow consumer", true);
    return;
  }
  wake();
}

awaitable<void> WebSocketSession::write_loop() {
  auto self = shared_from_this();
  std::vector<OutboundFrame> batch;
  beast::error_code ec;
  while (!dead_) {
    if (queue_.empty()) {
      if (closing_) break;
      wake_timer_.expires_at(asio::steady_timer::time_point::max());
      writer_waiting_ = true;
      co_await wake_timer_.async_wait(asio::redirect_error(use_awaitable, ec));
      writer_waiting_ = false;
      continue;
    }
    batch.clear();
    queue_.take(batch, max_batch);
    // Every message of the batch lands in one buffer; one socket write sends them.
    ws_.next_layer().cork();
    for (const OutboundFrame& f : batch) {
      co_await ws_.async_write(asio::buffer(*f.text), asio::redirect_error(use_awaitable, ec));
      if (ec) break;
    }
    if (!ec) co_await ws_.next_layer().async_flush(asio::redirect_error(use_awaitable, ec));
    if (ec) {
      dead_ = true;
      break;
    }
    auto now = std::chrono::steady_clock::now();
    for (const OutboundFrame& f : batch) {
      m_.messages_out.fetch_add(1, std::memory_order_relaxed);
      m_.bytes_out.fetch_add(f.text->size(), std::memory_order_relaxed);
      if (f.published_at != std::chrono::steady_clock::time_point{})
        m_.observe_latency(now - f.published_at);
    }
  }
  if (close_reason_ && !dead_) {
    co_await ws_.async_close(*close_reason_, asio::redirect_error(use_awaitable, ec));
  }
  if (dead_ || ec) {
    beast::get_lowest_layer(ws_).socket().close(ec);  // unblocks the reader
  }
}

awaitable<void> WebSocketSession::auth_deadline() {
  auto self = shared_from_this();
  beast::error_code ec;
  auth_timer_.expires_after(ctx_.options.auth_timeout);
  co_await auth_timer_.async_wait(asio::redirect_error(use_awaitable, ec));
  if (!ec && !authenticated_) close(4001, "authentication timeout", false);
}

bool WebSocketSession::rate_limited(std::optional<std::int64_t> id) {
  auto now = std::chrono::steady_clock::now();
  if (limiter_.allow(now)) return false;
  m_.rate_limited.fetch_add(1, std::memory_order_relaxed);
  if (now - limit_window_ > std::chrono::seconds(1)) {
    limit_window_ = now;
    limited_in_window_ = 0;
  }
  // A client that keeps going while limited (more refused frames in a second than
  // its allowed rate, at least 10) is disconnected rather than answered forever.
  auto tolerance = std::max(10.0, ctx_.options.client_rate_limit);
  if (++limited_in_window_ > tolerance) {
    spdlog::warn("conn={} user={} kept exceeding the rate limit: disconnecting", id_,
                 identity_.user);
    close(1008, "rate limit exceeded", true);
  } else {
    error(id, 429, "rate limited");
  }
  return true;
}

awaitable<void> WebSocketSession::handle(std::string_view text) {
  ParsedFrame frame = parse_client_frame(text);
  if (rate_limited(frame.id)) co_return;
  if (!frame.ok()) {
    error(frame.id, 400, frame.message);
    co_return;
  }
  if (!authenticated_) {
    auto* auth = std::get_if<AuthFrame>(&*frame.command);
    if (auth == nullptr) {
      error(frame.id, 401, "authentication required");
      co_return;
    }
    auto who = ctx_.access.authenticate(auth->token);
    if (!who) {
      spdlog::info("conn={} bad token in auth frame: closing 4001", id_);
      close(4001, "unauthorized", false);
      co_return;
    }
    identity_ = std::move(*who);
    authenticated_ = true;
    auth_timer_.cancel();
    auto secs = static_cast<std::uint32_t>((ctx_.options.ping_interval.count() + 999) / 1000);
    send(encode_welcome(id_, identity_.user, secs));
    reply(frame.id, "{}");
    co_return;
  }
  co_await command(frame.id, *frame.command);
}

awaitable<void> WebSocketSession::command(std::optional<std::int64_t> id, ClientCommand& cmd) {
  if (auto* f = std::get_if<SubscribeFrame>(&cmd)) co_return co_await subscribe(id, *f);
  if (std::holds_alternative<PingFrame>(cmd)) co_return reply(id, "{}");
  if (std::holds_alternative<AuthFrame>(cmd)) co_return error(id, 400, "already authenticated");
  if (auto* f = std::get_if<UnsubscribeFrame>(&cmd)) {
    unsubscribe(f->channel);
    co_return reply(id, "{}");
  }
  // The remaining commands name a channel the caller must be allowed to see.
  std::string channel = std::visit(
      [](auto& c) -> std::string {
        if constexpr (requires { c.channel; }) return c.channel;
        return {};
      },
      cmd);
  if (!valid_channel_name(channel)) co_return error(id, 400, "invalid channel name");
  if (auto* f = std::get_if<PublishFrame>(&cmd)) {
    if (!ctx_.rules.can_publish(channel, identity_)) co_return error(id, 403, "permission denied");
    auto r = co_await ctx_.engine->publish(channel, std::move(f->data));
    if (!r) co_return error(id, realtime::wire_code(r.error()), r.error().message());
    m_.publications.fetch_add(1, std::memory_order_relaxed);
    std::string result = R"({"offset":)" + std::to_string(r->offset) + R"(,"epoch":)";
    append_json_string(result, r->epoch);
    result += '}';
    co_return reply(id, result);
  }
  if (std::holds_alternative<PresenceFrame>(cmd)) {
    if (!ctx_.rules.can_presence(channel, identity_)) co_return error(id, 403, "permission denied");
    auto r = co_await ctx_.engine->presence_count(channel);
    if (!r) co_return error(id, realtime::wire_code(r.error()), r.error().message());
    co_return reply(id, R"({"count":)" + std::to_string(*r) + "}");
  }
  if (auto* f = std::get_if<HistoryFrame>(&cmd)) {
    if (!ctx_.rules.can_subscribe(channel, identity_))
      co_return error(id, 403, "permission denied");
    auto r = co_await ctx_.engine->history(channel, f->since, f->limit);
    if (!r) co_return error(id, realtime::wire_code(r.error()), r.error().message());
    std::vector<HistoryEntry> entries;
    entries.reserve(r->messages.size());
    for (const auto& p : r->messages) entries.push_back({p->offset, p->data()});
    co_return reply(id, encode_history_result(entries, r->position));
  }
  error(id, 400, "unsupported frame");
}

awaitable<void> WebSocketSession::subscribe(std::optional<std::int64_t> id, SubscribeFrame& f) {
  const std::string& channel = f.channel;
  if (!valid_channel_name(channel)) co_return error(id, 400, "invalid channel name");
  if (!ctx_.rules.can_subscribe(channel, identity_)) co_return error(id, 403, "permission denied");
  if (!subs_.begin(channel)) co_return error(id, 400, "already subscribed");
  // Registered locally first: deliveries that race the engine call are buffered by
  // subs_ and released, deduplicated, after the reply and the recovered messages.
  shard_.add_subscriber(channel, this);
  auto r = co_await ctx_.engine->subscribe(channel, shard_.index(), f.since);
  if (!r) {
    subs_.remove(channel);
    shard_.remove_subscriber(channel, this);
    co_return error(id, realtime::wire_code(r.error()), r.error().message());
  }
  m_.subscriptions.fetch_add(1, std::memory_order_relaxed);
  ctx_.engine->presence_add(channel, id_);
  bool recovered = f.since.has_value() && r->recovered;
  auto pending = subs_.complete(channel, r->position, std::move(r->missed));
  reply(id, encode_subscribe_result(channel, r->position, recovered));
  for (const auto& p : pending) enqueue(OutboundFrame{realtime::frame_of(p), p->published_at});
}

void WebSocketSession::unsubscribe(const std::string& channel) {
  if (!subs_.remove(channel)) return;
  shard_.remove_subscriber(channel, this);
  ctx_.engine->unsubscribe(channel, shard_.index());
  ctx_.engine->presence_remove(channel, id_);
  m_.subscriptions.fetch_sub(1, std::memory_order_relaxed);
}

}  // namespace

awaitable<void> run_websocket_session(ServerContext& ctx, Shard& shard,
                                      asio::ip::tcp::socket socket, HttpRequest request,
                                      std::optional<Identity> identity) {
  try {
    auto session =
        std::make_shared<WebSocketSession>(ctx, shard, std::move(socket), std::move(identity));
    co_await session->run(std::move(request));
  } catch (const std::exception& e) {
    spdlog::error("websocket session failed: {}", e.what());
  }
}

}  // namespace herald::gateway
