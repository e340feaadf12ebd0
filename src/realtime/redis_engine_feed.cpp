// RedisEngine::Impl, the live feed: Pub/Sub messages through each channel's
// ChannelFeed to the shards, gap fills from history, heads re-checked after a
// reconnect, and plain `ws:*` messages.
#include "realtime/redis_engine_impl.hpp"

#include "realtime/core/redis_layout.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

namespace herald::realtime {
namespace asio = boost::asio;
using asio::awaitable;
namespace layout = redis_layout;

// ---------------------------------------------------------------------------------
// The live feed

void RedisEngine::Impl::apply(const ChannelPtr& channel, const std::string& name, FeedStep step) {
  for (const auto& p : step.out) {
    if (p->kind == Publication::Kind::lost) {
      ++gaps_lost_;
      spdlog::warn("redis engine: channel {} lost publications after offset {}", name,
                   channel->feed.last());
    } else {
      ++delivered_;
    }
    for (std::size_t shard = 0; shard < channel->shard_subs.size(); ++shard) {
      if (channel->shard_subs[shard] != 0) sink_.deliver(shard, p);
    }
  }
  if (step.fill && !stopping_)
    asio::co_spawn(io_, fill(shared_from_this(), channel, name, *step.fill), asio::detached);
}

awaitable<void> RedisEngine::Impl::fill(std::shared_ptr<Impl> self, ChannelPtr channel,
                                        std::string name, FillRequest request) {
  std::optional<std::vector<PublicationPtr>> entries;
  // The epoch is read first: a stream recreated meanwhile would hold the same offsets
  // with other contents.
  auto head = co_await head_of(name);
  if (head && head->epoch == channel->feed.epoch() && options_.history_size(name) > 0) {
    entries = co_await read_range(name, head->epoch, request.from, request.to,
                                  static_cast<std::size_t>(request.to - request.from + 1));
  }
  if (channel->dead) co_return;
  const bool complete = entries && entries->size() == request.to - request.from + 1;
  FeedStep step = channel->feed.on_filled(request, std::move(entries));
  if (complete) ++gaps_filled_;
  apply(channel, name, std::move(step));
  (void)self;
}

awaitable<void> RedisEngine::Impl::check_head(std::shared_ptr<Impl> self, ChannelPtr channel,
                                              std::string name) {
  // Live messages may overtake the read's answer: the feed judges it against what
  // it had delivered when the read was sent.
  const HeadRead asked = channel->feed.head_read();
  auto head = co_await head_of(name);
  if (!head || channel->dead || !channel->feed.known()) co_return;
  apply(channel, name, channel->feed.on_head(head->offset, head->epoch, asked));
  (void)self;
}

void RedisEngine::Impl::on_message(const redis::PubSubMessage& m) {
  if (m.kind == redis::PubSubMessage::Kind::pmessage) {
    if (m.channel.starts_with(layout::kPlainPrefix))
      on_plain(m.channel.substr(layout::kPlainPrefix.size()), m.payload);
    return;
  }
  if (m.channel == layout::kControlChannel) {
    on_control(m.payload);
    return;
  }
  auto name = layout::channel_of_feed(m.channel);
  if (!name) return;
  auto it = channels_.find(std::string(*name));
  if (it == channels_.end()) return;  // unsubscribed while the message was in flight
  auto feed = layout::decode_feed(m.payload);
  if (!feed) {
    spdlog::warn("redis engine: ignoring a malformed message on {}", m.channel);
    return;
  }
  ChannelPtr channel = it->second;
  apply(channel, it->first,
        channel->feed.on_live(
            make_publication(*name, feed->offset, feed->epoch, feed->data, feed->event)));
}

void RedisEngine::Impl::on_plain(std::string_view channel, std::string_view data) {
  auto it = channels_.find(std::string(channel));
  if (it == channels_.end()) return;  // nobody here listens
  if (auto why = check_inbound(channel, data)) {
    spdlog::debug("redis engine: dropping ws:{}: {}", channel, *why);
    return;
  }
  ++plain_;
  PublicationPtr p = make_ephemeral_publication(channel, data);
  const Channel& ch = *it->second;
  for (std::size_t shard = 0; shard < ch.shard_subs.size(); ++shard) {
    if (ch.shard_subs[shard] != 0) sink_.deliver(shard, p);
  }
}

void RedisEngine::Impl::on_subscriber_state(redis::SubscriberState state) {
  if (state == redis::SubscriberState::disconnected) {
    ready_ = false;
    spdlog::warn("redis engine: Pub/Sub connection lost; {} channel(s) may miss messages",
                 channels_.size());
    return;
  }
  if (state != redis::SubscriberState::resubscribed) return;
  // Anything published while we were away is in history (or lost): compare heads.
  spdlog::info("redis engine: Pub/Sub back; checking {} channel(s) for gaps", channels_.size());
  for (auto& [name, channel] : channels_) {
    if (channel->feed.known())
      asio::co_spawn(io_, check_head(shared_from_this(), channel, name), asio::detached);
  }
}

}  // namespace herald::realtime
