// SubscriptionFlow: subscribe / unsubscribe / slow-consumer / batch metrics and the
// connection's lifecycle record, once for every transport (see subscription_flow.hpp).
#include "gateway/subscription_flow.hpp"

#include "gateway/connection.hpp"
#include "gateway/log_event.hpp"
#include "gateway/log_throttle.hpp"
#include "gateway/server_context.hpp"

#include <spdlog/spdlog.h>

namespace herald::gateway {
namespace {

// Refused subscribes are logged at info, at most one line a second for the whole
// process (a hostile client retrying a forbidden channel must not flood the log);
// every refusal is logged at debug.
LogThrottle refused_log{std::chrono::seconds(1)};

void log_refused(const std::string& conn, std::string_view transport, const std::string& user,
                 const std::string& channel, int code, std::string_view reason) {
  auto level = spdlog::level::debug;
  std::optional<std::uint64_t> held;
  if (spdlog::should_log(spdlog::level::info)) {
    held = refused_log.allow();
    if (held) level = spdlog::level::info;
  }
  LogEvent e(level, "subscribe_refused");
  if (!e.enabled()) return;
  e.add("conn", conn).add("transport", transport).add("user", user).add("channel", channel);
  e.add("code", code).add("reason", reason);
  if (held) e.add("suppressed", static_cast<std::int64_t>(*held));
  e.emit();
}

}  // namespace

SubscriptionFlow::SubscriptionFlow(ServerContext& ctx, Shard& shard, Connection& owner,
                                   std::string_view transport)
    : ctx_(ctx),
      shard_(shard),
      owner_(owner),
      transport_(transport),
      queue_(ctx.options.max_send_queue_bytes, &shard.metrics().queued_bytes) {}

const std::string& SubscriptionFlow::id() const noexcept {
  return owner_.id();
}
ShardMetrics& SubscriptionFlow::metrics() const noexcept {
  return shard_.metrics();
}

boost::asio::awaitable<SubscriptionFlow::Outcome> SubscriptionFlow::subscribe(
    const std::string& channel, std::optional<realtime::StreamPosition> since,
    const Identity& who) {
  auto refuse = [&](int code, std::string message) {
    log_refused(owner_.id(), transport_, who.user, channel, code, message);
    return Outcome{code, std::move(message)};
  };
  if (!valid_channel_name(channel)) co_return refuse(400, "invalid channel name");
  if (!ctx_.rules.can_subscribe(channel, who)) co_return refuse(403, "permission denied");
  // Pending subscribes count: a burst of subscribes cannot overshoot the cap.
  if (!subs_.contains(channel) && subs_.size() >= ctx_.options.max_subscriptions_per_connection)
    co_return refuse(400, "too many subscriptions");
  if (!subs_.begin(channel)) co_return refuse(400, "already subscribed");
  // Registered locally first: deliveries that race the engine call are buffered by
  // subs_ and released, deduplicated, after the reply and the recovered messages.
  shard_.add_subscriber(channel, &owner_);
  auto r = co_await ctx_.engine->subscribe(channel, shard_.index(), since);
  if (!r) {
    subs_.remove(channel);
    shard_.remove_subscriber(channel, &owner_);
    co_return refuse(realtime::wire_code(r.error()), r.error().message());
  }
  metrics().subscriptions.fetch_add(1, std::memory_order_relaxed);
  ctx_.engine->presence_add(channel, owner_.id());
  Outcome out;
  out.position = r->position;
  out.recovered = since.has_value() && r->recovered;
  out.pending = subs_.complete(channel, r->position, std::move(r->missed));
  LogEvent e(spdlog::level::debug, "subscribe");
  if (e.enabled()) {
    e.add("conn", owner_.id()).add("transport", transport_).add("user", who.user);
    e.add("channel", channel).add("offset", static_cast<std::int64_t>(out.position.offset));
    if (since) e.add("recovered", out.recovered ? "true" : "false");
    e.emit();
  }
  co_return out;
}

void SubscriptionFlow::unsubscribe(const std::string& channel) {
  if (!subs_.remove(channel)) return;
  shard_.remove_subscriber(channel, &owner_);
  ctx_.engine->unsubscribe(channel, shard_.index());
  ctx_.engine->presence_remove(channel, owner_.id());
  metrics().subscriptions.fetch_sub(1, std::memory_order_relaxed);
  LogEvent e(spdlog::level::debug, "unsubscribe");
  if (!e.enabled()) return;
  e.add("conn", owner_.id()).add("transport", transport_).add("user", owner_.user());
  e.add("channel", channel).emit();
}

void SubscriptionFlow::opened(std::string_view remote) {
  opened_at_ = std::chrono::steady_clock::now();
  metrics().connections_opened.fetch_add(1, std::memory_order_relaxed);
  LogEvent e(spdlog::level::debug, "connection_open");
  if (!e.enabled()) return;
  e.add("conn", owner_.id()).add("transport", transport_).add("user", owner_.user());
  e.add("remote", remote).emit();
}

void SubscriptionFlow::closing(int code, std::string_view text) {
  closing(classify_close(code, text), code);
}

void SubscriptionFlow::closing(DisconnectReason reason, int code) {
  if (decided_) return;
  decided_ = true;
  reason_ = reason;
  close_code_ = code;
  metrics().count_disconnect(reason);
}

void SubscriptionFlow::release(DisconnectReason otherwise, int peer_code) {
  if (!decided_) closing(otherwise, peer_code);
  for (const std::string& channel : subs_.channels()) unsubscribe(channel);
  LogEvent e(spdlog::level::debug, "connection_close");
  if (!e.enabled()) return;
  const auto lived = std::chrono::steady_clock::now() - opened_at_;
  e.add("conn", owner_.id()).add("transport", transport_).add("user", owner_.user());
  e.add("code", close_code_).add("reason", to_string(reason_));
  e.add("duration_ms", static_cast<std::int64_t>(
                           std::chrono::duration_cast<std::chrono::milliseconds>(lived).count()));
  e.emit();
}

bool SubscriptionFlow::push(OutboundFrame frame) {
  if (queue_.push(std::move(frame))) return true;
  LogEvent(spdlog::level::warn, "slow_consumer", "slow consumer: disconnecting with 3008")
      .add("conn", owner_.id())
      .add("transport", transport_)
      .add("user", owner_.user())
      .add("queued_bytes", queue_.bytes())
      .add("limit", queue_.limit())
      .emit();
  queue_.clear();
  owner_.close(3008, "slow consumer", true);
  return false;
}

void SubscriptionFlow::push_final(OutboundFrame frame) {
  if (!queue_.push(frame)) {
    queue_.clear();
    queue_.push(std::move(frame));
  }
}

void SubscriptionFlow::record_written(const std::vector<OutboundFrame>& batch,
                                      std::size_t bytes) const {
  ShardMetrics& m = metrics();
  m.messages_out.fetch_add(batch.size(), std::memory_order_relaxed);
  m.bytes_out.fetch_add(bytes, std::memory_order_relaxed);
  auto now = std::chrono::steady_clock::now();
  for (const OutboundFrame& f : batch) {
    if (f.published_at != std::chrono::steady_clock::time_point{})
      m.observe_latency(now - f.published_at);
  }
}

}  // namespace herald::gateway
