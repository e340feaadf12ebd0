// MemoryEngine: channels, offsets, history rings and presence in one process. See
// memory_engine.hpp for the locking and lifetime rules.
#include <herald/realtime/memory_engine.hpp>

#include "realtime/channel_history.hpp"
#include "realtime/random_id.hpp"

#include <limits>
#include <vector>

namespace herald::realtime {

struct MemoryEngine::Channel {
  Channel(std::string e, std::size_t shards, std::size_t history_size,
          std::chrono::steady_clock::duration ttl)
      : epoch(std::move(e)), history(history_size, ttl), shard_subscribers(shards, 0) {}

  std::mutex mutex;  // guards everything below; orders publishes on this channel
  std::string epoch;
  std::uint64_t top = 0;  // latest offset assigned
  ChannelHistory history;
  std::vector<std::uint32_t> shard_subscribers;  // subscribers per shard
  std::size_t subscribers = 0;
  std::unordered_map<std::string, unsigned> presence;  // client id -> joins
  bool dead = false;  // removed from the map by sweep(); lookups must retry
};

MemoryEngine::MemoryEngine(MemoryEngineOptions options, DeliverySink& sink)
    : options_(std::move(options)), sink_(sink) {
  if (options_.shards == 0) options_.shards = 1;
}

MemoryEngine::~MemoryEngine() = default;

MemoryEngine::Stripe& MemoryEngine::stripe_of(std::string_view name) {
  return stripes_[std::hash<std::string_view>{}(name) % stripe_count];
}

std::shared_ptr<MemoryEngine::Channel> MemoryEngine::locked(std::string_view name, bool create,
                                                            std::unique_lock<std::mutex>& lock) {
  Stripe& stripe = stripe_of(name);
  while (true) {
    std::shared_ptr<Channel> channel;
    {
      std::lock_guard guard(stripe.mutex);
      auto it = stripe.channels.find(std::string(name));
      if (it != stripe.channels.end()) {
        channel = it->second;
      } else if (create) {
        channel = std::make_shared<Channel>(new_epoch(), options_.shards,
                                            options_.history_size(name), options_.history_ttl);
        stripe.channels.emplace(std::string(name), channel);
      } else {
        return nullptr;
      }
    }
    lock = std::unique_lock(channel->mutex);
    if (!channel->dead) return channel;
    lock.unlock();  // swept between the lookup and the lock: look again
  }
}

StreamPosition MemoryEngine::publish_now(std::string_view name, std::string_view data_json,
                                         std::string_view event) {
  std::unique_lock<std::mutex> lock;
  auto channel = locked(name, true, lock);
  auto now = options_.clock();
  channel->history.expire(now);
  std::uint64_t offset = ++channel->top;
  PublicationPtr publication = make_publication(name, offset, channel->epoch, data_json, event);
  channel->history.push(publication, now);
  // Under the channel lock: deliveries for this channel reach each shard in offset order.
  for (std::size_t shard = 0; shard < channel->shard_subscribers.size(); ++shard) {
    if (channel->shard_subscribers[shard] != 0) sink_.deliver(shard, publication);
  }
  return StreamPosition{offset, channel->epoch};
}

SubscribeResult MemoryEngine::subscribe_now(std::string_view name, std::size_t shard,
                                            const std::optional<StreamPosition>& since) {
  std::unique_lock<std::mutex> lock;
  auto channel = locked(name, true, lock);
  channel->history.expire(options_.clock());
  ++channel->shard_subscribers[shard % channel->shard_subscribers.size()];
  ++channel->subscribers;
  SubscribeResult result;
  result.position = StreamPosition{channel->top, channel->epoch};
  if (since && since->epoch == channel->epoch &&
      channel->history.covers(since->offset, channel->top)) {
    result.recovered = true;
    result.missed = channel->history.after(since->offset, std::numeric_limits<std::size_t>::max());
  }
  return result;
}

void MemoryEngine::unsubscribe(std::string_view name, std::size_t shard) {
  std::unique_lock<std::mutex> lock;
  auto channel = locked(name, false, lock);
  if (!channel) return;
  auto& count = channel->shard_subscribers[shard % channel->shard_subscribers.size()];
  if (count == 0) return;
  --count;
  --channel->subscribers;
}

Result<HistoryResult> MemoryEngine::history_now(std::string_view name,
                                                const std::optional<StreamPosition>& since,
                                                std::size_t limit) {
  if (options_.history_size(name) == 0) return EngineError::history_disabled;
  std::unique_lock<std::mutex> lock;
  auto channel = locked(name, true, lock);
  channel->history.expire(options_.clock());
  HistoryResult result;
  result.position = StreamPosition{channel->top, channel->epoch};
  if (since) {
    // Another epoch's offsets mean nothing here: answer from the oldest message held.
    std::uint64_t from = since->epoch == channel->epoch ? since->offset : 0;
    result.messages = channel->history.after(from, limit);
  } else {
    result.messages = channel->history.latest(limit);
  }
  return result;
}

void MemoryEngine::presence_add(std::string_view name, std::string_view client) {
  std::unique_lock<std::mutex> lock;
  auto channel = locked(name, true, lock);
  ++channel->presence[std::string(client)];
}

void MemoryEngine::presence_remove(std::string_view name, std::string_view client) {
  std::unique_lock<std::mutex> lock;
  auto channel = locked(name, false, lock);
  if (!channel) return;
  auto it = channel->presence.find(std::string(client));
  if (it != channel->presence.end() && --it->second == 0) channel->presence.erase(it);
}

std::size_t MemoryEngine::presence_count_now(std::string_view name) {
  std::unique_lock<std::mutex> lock;
  auto channel = locked(name, false, lock);
  return channel ? channel->presence.size() : 0;
}

std::size_t MemoryEngine::history_length_now(std::string_view name) {
  std::unique_lock<std::mutex> lock;
  auto channel = locked(name, false, lock);
  return channel ? channel->history.size() : 0;
}

std::size_t MemoryEngine::sweep() {
  auto now = options_.clock();
  std::size_t removed = 0;
  for (Stripe& stripe : stripes_) {
    std::lock_guard guard(stripe.mutex);
    for (auto it = stripe.channels.begin(); it != stripe.channels.end();) {
      // Holds the channel past erase(): the map may own its last reference, and the
      // guard below must unlock a mutex that still exists (found by `make tsan`).
      const std::shared_ptr<Channel> keep = it->second;
      Channel& channel = *keep;
      std::lock_guard channel_guard(channel.mutex);
      channel.history.expire(now);
      if (channel.subscribers == 0 && channel.presence.empty() && channel.history.empty()) {
        channel.dead = true;
        it = stripe.channels.erase(it);
        ++removed;
      } else {
        ++it;
      }
    }
  }
  return removed;
}

std::size_t MemoryEngine::channel_count() const {
  std::size_t n = 0;
  for (const Stripe& stripe : stripes_) {
    std::lock_guard guard(stripe.mutex);
    n += stripe.channels.size();
  }
  return n;
}

// The awaitable forms: the memory engine never suspends.
boost::asio::awaitable<Result<StreamPosition>> MemoryEngine::publish(std::string channel,
                                                                     std::string data_json,
                                                                     std::string event) {
  co_return publish_now(channel, data_json, event);
}

boost::asio::awaitable<Result<SubscribeResult>> MemoryEngine::subscribe(
    std::string channel, std::size_t shard, std::optional<StreamPosition> since) {
  co_return subscribe_now(channel, shard, since);
}

boost::asio::awaitable<Result<HistoryResult>> MemoryEngine::history(
    std::string channel, std::optional<StreamPosition> since, std::size_t limit) {
  co_return history_now(channel, since, limit);
}

boost::asio::awaitable<std::vector<std::int64_t>> MemoryEngine::history_lengths(
    std::vector<std::string> channels) {
  std::vector<std::int64_t> lengths;
  lengths.reserve(channels.size());
  for (const auto& c : channels)
    lengths.push_back(static_cast<std::int64_t>(history_length_now(c)));
  co_return lengths;
}

boost::asio::awaitable<Result<std::size_t>> MemoryEngine::presence_count(std::string channel) {
  co_return presence_count_now(channel);
}

boost::asio::awaitable<Result<void>> MemoryEngine::disconnect_user(std::string user) {
  sink_.disconnect_user(user);  // one process: every connection is local
  co_return Result<void>{};
}

}  // namespace herald::realtime
