// RedisEngine::Impl: presence (sorted sets scored by expiry, refreshed by the node
// that holds the connections), the periodic tick (readiness, presence refresh, meta
// keepalive) and node-to-node control messages (disconnect a user everywhere).
#include "realtime/redis_engine_impl.hpp"

#include "realtime/core/redis_layout.hpp"
#include "realtime/redis_scripts.hpp"

#include <herald/redis/request.hpp>

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace herald::realtime {
namespace asio = boost::asio;
using asio::awaitable;
using Clock = std::chrono::steady_clock;
namespace layout = redis_layout;

namespace {

/// Members per presence script call: keeps one script's run short (Redis is
/// single-threaded) while a node with 100k connections still refreshes in 200 calls.
constexpr std::size_t kPresenceBatch = 500;

/// Tick period: readiness is noticed within 100 ms.
constexpr std::chrono::milliseconds kTick{100};

awaitable<void> touch(redis::Pool& pool, std::string channel, std::vector<std::string> members,
                      std::chrono::milliseconds ttl) {
  const std::vector<std::string> keys{layout::presence_key(channel)};
  std::vector<std::string> args;
  args.reserve(members.size() + 1);
  args.push_back(std::to_string(ttl.count()));
  for (auto& m : members) args.push_back(std::move(m));
  (void)co_await redis_scripts::presence_touch().run(pool.pick(), keys, args);
}

awaitable<void> forget(redis::Pool& pool, std::string channel, std::string member) {
  redis::Request req;
  req.push("ZREM", layout::presence_key(channel), member);
  (void)co_await pool.exec(req);  // on failure the entry expires by itself
}

}  // namespace

void RedisEngine::Impl::presence_add(const std::string& channel, const std::string& client) {
  if (++presence_[channel][client] != 1 || stopping_) return;
  std::vector<std::string> members{client};
  asio::co_spawn(io_, touch(*pool_, channel, std::move(members), options_.presence_ttl),
                 asio::detached);
}

void RedisEngine::Impl::presence_remove(const std::string& channel, const std::string& client) {
  auto it = presence_.find(channel);
  if (it == presence_.end()) return;
  auto member = it->second.find(client);
  if (member == it->second.end() || --member->second != 0) return;
  it->second.erase(member);
  if (it->second.empty()) presence_.erase(it);
  if (!stopping_) asio::co_spawn(io_, forget(*pool_, channel, client), asio::detached);
}

awaitable<Result<std::size_t>> RedisEngine::Impl::presence_count(std::string channel) {
  if (!pool_->connected()) co_return EngineError::unavailable;
  const std::vector<std::string> keys{layout::presence_key(channel)};
  const std::vector<std::string> args;
  auto reply = co_await redis_scripts::presence_count().run(pool_->pick(), keys, args);
  if (!reply) co_return EngineError::unavailable;
  auto n = reply->as_integer();
  if (!n || *n < 0) co_return EngineError::internal;
  co_return static_cast<std::size_t>(*n);
}

awaitable<Result<void>> RedisEngine::Impl::announce_node(std::string node, std::string figures,
                                                         std::chrono::milliseconds ttl) {
  if (!pool_->connected()) co_return EngineError::unavailable;
  const std::vector<std::string> keys{std::string(layout::kAdminNodesKey),
                                      std::string(layout::kAdminFiguresKey)};
  const std::vector<std::string> args{std::move(node), std::move(figures),
                                      std::to_string(ttl.count())};
  auto reply = co_await redis_scripts::node_announce().run(pool_->pick(), keys, args);
  if (!reply) co_return EngineError::unavailable;
  co_return Result<void>{};
}

// One XLEN per channel, in turn: each stream key has its own slot on a cluster, so one
// pipelined request could not carry them all. Called once a second for at most the
// console's shown channels.
awaitable<std::vector<std::int64_t>> RedisEngine::Impl::history_lengths(
    std::vector<std::string> channels) {
  std::vector<std::int64_t> lengths(channels.size(), -1);
  for (std::size_t i = 0; i < channels.size() && pool_->connected(); ++i) {
    redis::Request req;
    req.push("XLEN", layout::stream_key(channels[i]));
    auto reply = co_await pool_->exec(req);
    if (!reply) continue;
    if (auto n = reply->as_integer()) lengths[i] = *n;
  }
  co_return lengths;
}

awaitable<Result<std::vector<std::string>>> RedisEngine::Impl::live_nodes() {
  if (!pool_->connected()) co_return EngineError::unavailable;
  const std::vector<std::string> keys{std::string(layout::kAdminNodesKey),
                                      std::string(layout::kAdminFiguresKey)};
  const std::vector<std::string> args;
  auto reply = co_await redis_scripts::live_nodes().run(pool_->pick(), keys, args);
  if (!reply) co_return EngineError::unavailable;
  std::vector<std::string> out;
  for (const redis::Reply& e : reply->elements) {
    if (auto s = e.as_string()) out.emplace_back(*s);
  }
  co_return out;
}

awaitable<void> RedisEngine::Impl::touch_presence(std::shared_ptr<Impl> self) {
  presence_running_ = true;
  // A snapshot: presence_ changes while we wait for Redis.
  std::vector<std::pair<std::string, std::vector<std::string>>> batches;
  for (const auto& [channel, members] : presence_) {
    std::vector<std::string> batch;
    for (const auto& [client, joins] : members) {
      batch.push_back(client);
      if (batch.size() == kPresenceBatch)
        batches.emplace_back(channel, std::move(batch)), batch = {};
    }
    if (!batch.empty()) batches.emplace_back(channel, std::move(batch));
  }
  for (auto& [channel, members] : batches) {
    if (stopping_ || !pool_->connected()) break;
    co_await touch(*pool_, channel, std::move(members), options_.presence_ttl);
  }
  presence_running_ = false;
  (void)self;
}

awaitable<void> RedisEngine::Impl::keep_alive(std::shared_ptr<Impl> self) {
  keepalive_running_ = true;
  std::vector<std::pair<std::string, ChannelPtr>> snapshot(channels_.begin(), channels_.end());
  for (auto& [name, channel] : snapshot) {
    if (stopping_ || !pool_->connected()) break;
    if (!channel->dead && channel->feed.known()) co_await check_head(self, channel, name);
  }
  keepalive_running_ = false;
}

awaitable<void> RedisEngine::Impl::tick_loop(std::shared_ptr<Impl> self) {
  const auto presence_every = std::max(options_.presence_ttl / 3, std::chrono::milliseconds{100});
  const auto keepalive_every = std::max(options_.history_ttl / 3, std::chrono::milliseconds{1000});
  auto next_presence = Clock::now() + presence_every;
  auto next_keepalive = Clock::now() + keepalive_every;
  while (!stopping_) {
    if (!sharded_ && pool_->connected()) co_await decide_pubsub_mode();
    const bool up = backend_up();
    if (up != ready_.load()) {
      ready_ = up;
      if (up) {
        spdlog::info("redis engine: ready (node {})", options_.node_id);
        // Presence written while Redis was away (or lost with it) is written again now.
        if (!presence_running_) asio::co_spawn(io_, touch_presence(self), asio::detached);
      } else {
        spdlog::warn("redis engine: not ready (Redis unreachable)");
      }
    }
    const auto now = Clock::now();
    if (up && now >= next_presence) {
      next_presence = now + presence_every;
      if (!presence_running_) asio::co_spawn(io_, touch_presence(self), asio::detached);
    }
    if (up && now >= next_keepalive) {
      next_keepalive = now + keepalive_every;
      if (!keepalive_running_) asio::co_spawn(io_, keep_alive(self), asio::detached);
    }
    tick_timer_->expires_after(kTick);
    co_await tick_timer_->async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

awaitable<Result<void>> RedisEngine::Impl::disconnect_user(std::string user) {
  sink_.disconnect_user(user);  // this node's connections, whatever Redis says
  if (!pool_->connected()) co_return EngineError::unavailable;
  redis::Request req;
  req.push("PUBLISH", layout::kControlChannel, layout::encode_disconnect(options_.node_id, user));
  auto reply = co_await pool_->exec(req);
  if (!reply || reply->is_error()) co_return EngineError::unavailable;
  co_return Result<void>{};
}

void RedisEngine::Impl::on_control(std::string_view payload) {
  auto message = layout::decode_disconnect(payload);
  if (!message) {
    spdlog::warn("redis engine: ignoring a malformed control message");
    return;
  }
  if (message->origin == options_.node_id) return;  // done locally already
  sink_.disconnect_user(std::string(message->user));
}

}  // namespace herald::realtime
