// SseSession: a one-way event stream over plain HTTP/1.1 (body until close). Same
// subscription filter and bounded SendQueue as WebSocket; the writer sends each batch
// of queued events as one gathered write.
#include "gateway/sse_session.hpp"

#include <herald/protocol/server_frame.hpp>

#include "gateway/connection.hpp"
#include "gateway/downstream_probe.hpp"
#include "gateway/log_event.hpp"
#include "gateway/server_context.hpp"
#include "gateway/subscription_flow.hpp"
#include "gateway/token_lifetime.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>
#include <charconv>
#include <unordered_set>

namespace herald::gateway {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using asio::awaitable;
using asio::use_awaitable;

// A peer that does not take its `disconnect` event in this time loses its socket (the
// WebSocket path's close deadline).
constexpr std::chrono::seconds close_timeout{5};

// `data:` lines must not contain line breaks: a frame whose raw data was
// pretty-printed is split into several data lines (the client joins them with \n,
// which is still the same JSON).
void append_data_lines(std::string& out, std::string_view payload) {
  std::size_t start = 0;
  while (true) {
    std::size_t nl = payload.find_first_of("\r\n", start);
    out += "data: ";
    out +=
        payload.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
    out += '\n';
    if (nl == std::string_view::npos) break;
    start = nl + 1;
    if (payload[nl] == '\r' && start < payload.size() && payload[start] == '\n') ++start;
  }
}

std::string publication_event(const realtime::Publication& p) {
  std::string out;
  out.reserve(p.frame.size() + p.channel.size() + p.epoch.size() + 40);
  // Ephemeral messages have no offset: no id, so Last-Event-ID keeps the last real one.
  if (p.kind != realtime::Publication::Kind::ephemeral)
    out += "id: " + p.channel + ":" + p.epoch + ":" + std::to_string(p.offset) + "\n";
  append_data_lines(out, p.frame);
  out += '\n';
  return out;
}

std::string named_event(std::string_view name, std::string_view data) {
  std::string out = "event: ";
  out += name;
  out += '\n';
  append_data_lines(out, data);
  out += '\n';
  return out;
}

class SseSession final : public Connection, public std::enable_shared_from_this<SseSession> {
 public:
  SseSession(ServerContext& ctx, Shard& shard, asio::ip::tcp::socket socket, Identity identity)
      : ctx_(ctx),
        shard_(shard),
        m_(shard.metrics()),
        socket_(std::move(socket)),
        id_(ctx.new_connection_id()),
        identity_(std::move(identity)),
        flow_(ctx, shard, *this, "sse"),
        wake_timer_(socket_.get_executor()),
        ping_timer_(socket_.get_executor()) {}

  awaitable<void> run(HttpRequest req);

  void on_publication(const realtime::PublicationPtr& p) override {
    if (flow_.accept(p)) enqueue(shard_.sse_events().get(p, publication_event), p->published_at);
  }
  void close(int code, std::string_view reason, bool reconnect) override {
    if (closing_ || dead_) return;
    flow_.closing(code, reason);
    // The same notice as WebSocket's `disconnect` frame, slow consumers included: if
    // the queue is full it replaces what is queued.
    flow_.push_final(
        OutboundFrame{std::make_shared<const std::string>(named_event(
                          "disconnect", protocol::encode_disconnect(code, reason, reconnect))),
                      {}});
    closing_ = true;
    wake();
    ping_timer_.cancel();  // ping_loop arms the close deadline
  }
  void exclude_if_stalled(std::chrono::steady_clock::time_point now,
                          std::chrono::steady_clock::duration stall) noexcept override {
    sweep_downstream(flow_.queue(), socket_.native_handle(), now, stall);
  }
  const std::string& id() const noexcept override { return id_; }
  const std::string& user() const noexcept override { return identity_.user; }

 private:
  awaitable<void> write_loop();
  awaitable<void> ping_loop();
  void enqueue(std::shared_ptr<const std::string> text, std::chrono::steady_clock::time_point at) {
    if (dead_ || (closing_ && at != std::chrono::steady_clock::time_point{})) return;
    // On overflow the flow closes this session (3008): the event, then the socket goes.
    if (flow_.push(OutboundFrame{std::move(text), at})) wake();
  }
  void wake() {
    if (writer_waiting_) wake_timer_.cancel();
  }
  awaitable<void> reject(const HttpRequest& req, unsigned status, std::string_view message) {
    auto res = json_error(req, status, message);
    res.keep_alive(false);
    boost::system::error_code ec;
    co_await http::async_write(socket_, res, asio::redirect_error(use_awaitable, ec));
    socket_.close(ec);
  }

  ServerContext& ctx_;
  Shard& shard_;
  ShardMetrics& m_;
  asio::ip::tcp::socket socket_;
  std::string id_;
  Identity identity_;
  SubscriptionFlow flow_;
  asio::steady_timer wake_timer_;
  asio::steady_timer ping_timer_;
  bool writer_waiting_ = false;
  bool closing_ = false;
  bool dead_ = false;
};

awaitable<void> SseSession::run(HttpRequest req) {
  auto self = shared_from_this();
  boost::system::error_code ec;
  // Channels and recovery positions from the URL and Last-Event-ID.
  auto url = boost::urls::parse_origin_form(req.target());
  std::vector<std::string> channels;
  std::map<std::string, protocol::StreamPosition> since = parse_sse_positions(req["Last-Event-ID"]);
  if (url) {
    for (auto param : url->params()) {
      if (param.key == "channel") channels.push_back(param.value);
      if (param.key == "since" && since.empty()) since = parse_sse_positions(param.value);
    }
  }
  std::string problem;
  unsigned status = 400;
  if (channels.empty()) problem = "at least one ?channel= is required";
  if (std::unordered_set<std::string_view>(channels.begin(), channels.end()).size() >
      ctx_.options.max_subscriptions_per_connection)
    problem = "too many subscriptions";
  for (const auto& c : channels) {
    if (!problem.empty()) break;
    if (!valid_channel_name(c)) {
      problem = "invalid channel name";
    } else if (!ctx_.rules.can_subscribe(c, identity_)) {
      problem = "permission denied";
      status = 403;
    }
  }
  if (!problem.empty()) {
    co_await reject(req, status, problem);
    ctx_.release_connection();
    co_return;
  }

  shard_.attach(this);
  m_.connections.fetch_add(1, std::memory_order_relaxed);
  {
    auto remote = socket_.remote_endpoint(ec);
    flow_.opened(ec ? std::string()
                    : remote.address().to_string() + ":" + std::to_string(remote.port()));
  }
  std::string head =
      "HTTP/1.1 200 OK\r\nServer: herald\r\nContent-Type: text/event-stream\r\nCache-Control: "
      "no-cache\r\n"
      "Connection: close\r\nX-Accel-Buffering: no\r\n\r\n";
  enqueue(std::make_shared<const std::string>(std::move(head)), {});
  asio::co_spawn(
      socket_.get_executor(), [self] { return self->write_loop(); }, asio::detached);
  asio::co_spawn(
      socket_.get_executor(), [self] { return self->ping_loop(); }, asio::detached);

  for (const auto& channel : channels) {
    if (flow_.subscribed(channel)) continue;  // listed twice
    std::optional<protocol::StreamPosition> from;
    if (auto it = since.find(channel); it != since.end()) from = it->second;
    SubscriptionFlow::Outcome r = co_await flow_.subscribe(channel, from, identity_);
    if (r.code != 0) {
      enqueue(std::make_shared<const std::string>(
                  named_event("error", protocol::encode_error(std::nullopt, r.code, r.message))),
              {});
      continue;
    }
    enqueue(std::make_shared<const std::string>(named_event(
                "subscribe", protocol::encode_subscribe_result(channel, r.position, r.recovered))),
            {});
    for (const auto& p : r.pending)
      enqueue(shard_.sse_events().get(p, publication_event), p->published_at);
  }

  // The client sends nothing more; a read completes when it goes away.
  char scratch[512];
  while (!dead_) {
    co_await socket_.async_read_some(asio::buffer(scratch),
                                     asio::redirect_error(use_awaitable, ec));
    if (ec) break;
  }
  dead_ = true;
  wake();
  ping_timer_.cancel();
  flow_.release();
  shard_.detach(this);
  m_.connections.fetch_sub(1, std::memory_order_relaxed);
  ctx_.release_connection();
  spdlog::debug("conn={} sse closed", id_);
}

awaitable<void> SseSession::write_loop() {
  auto self = shared_from_this();
  std::vector<OutboundFrame> batch;
  std::vector<asio::const_buffer> buffers;
  boost::system::error_code ec;
  SendQueue& queue = flow_.queue();
  auto progress = [&queue](const boost::system::error_code& error, std::size_t total) {
    if (total != 0) queue.progressed(std::chrono::steady_clock::now());
    return asio::transfer_all()(error, total);
  };
  while (!dead_) {
    if (queue.empty()) {
      if (closing_) break;
      wake_timer_.expires_at(asio::steady_timer::time_point::max());
      writer_waiting_ = true;
      co_await wake_timer_.async_wait(asio::redirect_error(use_awaitable, ec));
      writer_waiting_ = false;
      continue;
    }
    batch.clear();
    buffers.clear();
    queue.take(batch, 64);
    for (const auto& f : batch) buffers.push_back(asio::buffer(*f.text));
    // The batch stays in the backpressure total until written, and every partial write
    // through the small socket buffer shows that the reader is still reading (as in
    // WebSocketWriter): a slow reader's long write does not look stalled.
    std::size_t n = co_await asio::async_write(socket_, buffers, progress,
                                               asio::redirect_error(use_awaitable, ec));
    queue.release_taken();
    if (ec) break;
    sample_downstream_after_write(queue, socket_.native_handle(), batch.size(), n,
                                  std::chrono::steady_clock::now());
    flow_.record_written(batch, n);
  }
  dead_ = true;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  socket_.close(ec);  // ends the reader
}

// Pings every ping_interval; with a token, the same timer also wakes at its `exp`
// and closes the stream (`event: disconnect`, 4001, reconnect false): an SSE client
// cannot refresh its token, it reconnects with a new one.
awaitable<void> SseSession::ping_loop() {
  auto self = shared_from_this();
  boost::system::error_code ec;
  auto ping = std::make_shared<const std::string>(": ping\n\n");
  auto next_ping = std::chrono::steady_clock::now() + ctx_.options.ping_interval;
  while (!dead_ && !closing_) {
    auto wake = next_ping;
    if (identity_.expires_at != 0) {
      wake = std::min(wake, expiry_deadline(identity_.expires_at, std::chrono::system_clock::now(),
                                            std::chrono::steady_clock::now()));
    }
    ping_timer_.expires_at(wake);
    co_await ping_timer_.async_wait(asio::redirect_error(use_awaitable, ec));
    if (ec || dead_ || closing_) break;
    if (token_expired(identity_.expires_at, std::chrono::system_clock::now())) {
      LogEvent(spdlog::level::info, "token_expired", "token expired: closing the SSE stream")
          .add("conn", id_)
          .add("transport", "sse")
          .add("user", identity_.user)
          .emit();
      close(4001, "token expired", false);
      break;
    }
    if (std::chrono::steady_clock::now() >= next_ping) {
      enqueue(ping, {});
      next_ping = std::chrono::steady_clock::now() + ctx_.options.ping_interval;
    }
  }
  if (closing_ && !dead_) {
    // A peer that stopped reading would hold the last write, and so the close and the
    // connection slot, forever: the socket goes after close_timeout.
    ping_timer_.expires_after(close_timeout);
    co_await ping_timer_.async_wait(asio::redirect_error(use_awaitable, ec));
    if (!dead_) {
      spdlog::info("conn={} did not take the SSE close in {} s: dropping the socket", id_,
                   close_timeout.count());
      socket_.close(ec);  // ends the writer and the reader
    }
  }
}

}  // namespace

std::map<std::string, protocol::StreamPosition> parse_sse_positions(std::string_view value) {
  std::map<std::string, protocol::StreamPosition> out;
  while (!value.empty()) {
    std::size_t comma = value.find(',');
    std::string_view id = value.substr(0, comma);
    value = comma == std::string_view::npos ? std::string_view{} : value.substr(comma + 1);
    while (!id.empty() && id.front() == ' ') id.remove_prefix(1);
    std::size_t last = id.rfind(':');
    if (last == std::string_view::npos || last == 0) continue;
    std::size_t mid = id.rfind(':', last - 1);
    if (mid == std::string_view::npos || mid == 0) continue;
    std::string_view offset_text = id.substr(last + 1);
    std::uint64_t offset = 0;
    auto [p, ec] =
        std::from_chars(offset_text.data(), offset_text.data() + offset_text.size(), offset);
    if (ec != std::errc() || p != offset_text.data() + offset_text.size()) continue;
    out[std::string(id.substr(0, mid))] =
        protocol::StreamPosition{offset, std::string(id.substr(mid + 1, last - mid - 1))};
  }
  return out;
}

awaitable<void> run_sse_session(ServerContext& ctx, Shard& shard, asio::ip::tcp::socket socket,
                                HttpRequest request, Identity identity) {
  try {
    auto session = std::make_shared<SseSession>(ctx, shard, std::move(socket), std::move(identity));
    co_await session->run(std::move(request));
  } catch (const std::exception& e) {
    spdlog::error("sse session failed: {}", e.what());
  }
}

}  // namespace herald::gateway
