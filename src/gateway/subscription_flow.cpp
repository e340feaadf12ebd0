// SubscriptionFlow: subscribe / unsubscribe / slow-consumer / batch metrics, once for
// every transport (see subscription_flow.hpp).
#include "gateway/subscription_flow.hpp"

#include "gateway/connection.hpp"
#include "gateway/server_context.hpp"

#include <spdlog/spdlog.h>

namespace herald::gateway {

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
  if (!valid_channel_name(channel)) co_return Outcome{400, "invalid channel name"};
  if (!ctx_.rules.can_subscribe(channel, who)) co_return Outcome{403, "permission denied"};
  // Pending subscribes count: a burst of subscribes cannot overshoot the cap.
  if (!subs_.contains(channel) && subs_.size() >= ctx_.options.max_subscriptions_per_connection)
    co_return Outcome{400, "too many subscriptions"};
  if (!subs_.begin(channel)) co_return Outcome{400, "already subscribed"};
  // Registered locally first: deliveries that race the engine call are buffered by
  // subs_ and released, deduplicated, after the reply and the recovered messages.
  shard_.add_subscriber(channel, &owner_);
  auto r = co_await ctx_.engine->subscribe(channel, shard_.index(), since);
  if (!r) {
    subs_.remove(channel);
    shard_.remove_subscriber(channel, &owner_);
    co_return Outcome{realtime::wire_code(r.error()), r.error().message()};
  }
  metrics().subscriptions.fetch_add(1, std::memory_order_relaxed);
  ctx_.engine->presence_add(channel, owner_.id());
  Outcome out;
  out.position = r->position;
  out.recovered = since.has_value() && r->recovered;
  out.pending = subs_.complete(channel, r->position, std::move(r->missed));
  co_return out;
}

void SubscriptionFlow::unsubscribe(const std::string& channel) {
  if (!subs_.remove(channel)) return;
  shard_.remove_subscriber(channel, &owner_);
  ctx_.engine->unsubscribe(channel, shard_.index());
  ctx_.engine->presence_remove(channel, owner_.id());
  metrics().subscriptions.fetch_sub(1, std::memory_order_relaxed);
}

void SubscriptionFlow::release() {
  for (const std::string& channel : subs_.channels()) unsubscribe(channel);
}

bool SubscriptionFlow::push(OutboundFrame frame) {
  if (queue_.push(std::move(frame))) return true;
  metrics().slow_consumers.fetch_add(1, std::memory_order_relaxed);
  spdlog::warn(
      "conn={} user={} slow {} consumer: {} bytes queued (limit {}), disconnecting with "
      "3008",
      owner_.id(), owner_.user(), transport_, queue_.bytes(), queue_.limit());
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
