// RedisEngine::Impl: lifecycle, publish, subscribe (with recovery) and history. See
// redis_engine.hpp for the design and redis_engine_impl.hpp for the file split.
#include "realtime/redis_engine_impl.hpp"

#include "realtime/core/redis_layout.hpp"
#include "realtime/random_id.hpp"
#include "realtime/redis_scripts.hpp"

#include <herald/protocol/publish_body.hpp>
#include <herald/redis/request.hpp>
#include <herald/redis/streams.hpp>

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>

#include <algorithm>
#include <future>

namespace herald::realtime {
namespace asio = boost::asio;
using asio::awaitable;
namespace layout = redis_layout;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

/// {offset, epoch} as the publish and head scripts return it.
std::optional<StreamPosition> position_of(const redis::Reply& reply) {
  if (!reply.is_array() || reply.elements.size() != 2) return std::nullopt;
  auto offset = reply.elements[0].as_integer();
  auto epoch = reply.elements[1].as_string();
  if (!offset || *offset < 0 || !epoch || epoch->empty()) return std::nullopt;
  return StreamPosition{static_cast<std::uint64_t>(*offset), std::string(*epoch)};
}

/// Stream entries as publications of `channel` in `epoch` (with their event, field
/// `e` when not the default); entries that are not ours (bad id, no `d`) are skipped,
/// which the callers see as a gap.
std::vector<PublicationPtr> publications_of(const std::string& channel, const std::string& epoch,
                                            const std::vector<redis::StreamEntry>& entries) {
  std::vector<PublicationPtr> out;
  out.reserve(entries.size());
  for (const auto& e : entries) {
    auto offset = layout::offset_of_stream_id(e.id);
    const std::string* data = redis::find_field(e, "d");
    if (!offset || data == nullptr) continue;
    const std::string* event = redis::find_field(e, "e");  // a bad one: the default
    const bool has_event = event != nullptr && protocol::valid_event_name(*event);
    out.push_back(make_publication(channel, *offset, epoch, *data,
                                   has_event ? std::string_view(*event) : ""));
  }
  return out;
}

}  // namespace

// ---------------------------------------------------------------------------------
// Lifecycle

RedisEngine::Impl::Impl(RedisEngineOptions options, DeliverySink& sink)
    : options_(std::move(options)),
      sink_(sink),
      io_(options_.context != nullptr ? *options_.context : own_io_),
      pool_(std::in_place, io_.get_executor(), options_.redis,
            std::max<std::size_t>(1, options_.pool_size)),
      subscriber_(std::in_place, io_.get_executor(), options_.redis),
      tick_timer_(std::in_place, io_) {
  if (options_.node_id.empty()) options_.node_id = random_hex(16);
  if (options_.shards == 0) options_.shards = 1;
  subscriber_->on_message([this](const redis::PubSubMessage& m) { on_message(m); });
  subscriber_->on_state([this](redis::SubscriberState s) { on_subscriber_state(s); });
  if (options_.ingest) {
    IngestOptions io;
    io.consumer = options_.node_id;
    io.claim_idle = options_.ingest_claim_idle;
    io.max_attempts = options_.ingest_max_attempts;
    ingest_.emplace(
        io_.get_executor(), options_.redis, *pool_, std::move(io),
        [this](std::string c, std::string d) { return publish(std::move(c), std::move(d)); },
        [this](std::string_view c, std::string_view d) { return check_inbound(c, d); });
  }
}

RedisEngine::Impl::~Impl() {
  stop();
}

void RedisEngine::Impl::start() {
  auto self = shared_from_this();
  asio::post(io_, [this, self] {
    pool_->start();
    subscriber_->start();
    const std::vector<std::string> control{std::string(layout::kControlChannel)};
    subscriber_->subscribe(control);
    const std::vector<std::string> plain{std::string(layout::kPlainPattern)};
    subscriber_->psubscribe(plain);
    if (ingest_) ingest_->start();
    asio::co_spawn(io_, tick_loop(self), asio::detached);
  });
  if (&io_ != &own_io_) return;  // the caller's thread runs it
  work_.emplace(io_.get_executor());
  std::promise<void> ran_out;
  ran_out_ = ran_out.get_future();
  thread_ = std::thread([this, done = std::move(ran_out)]() mutable {
    // Exceptions never cross the event loop; this is the last line of defence.
    while (true) {
      try {
        io_.run();
        break;
      } catch (const std::exception& e) {
        spdlog::error("redis engine: handler threw: {}", e.what());
      }
    }
    done.set_value();
  });
}

void RedisEngine::Impl::stop_io() {
  stopping_ = true;
  if (tick_timer_) tick_timer_->cancel();
  if (ingest_) ingest_->stop();
  if (subscriber_) subscriber_->stop();
  if (pool_) pool_->stop();
  for (auto& [name, channel] : channels_) {
    channel->dead = true;
    if (channel->init_done) channel->init_done->cancel();
  }
}

void RedisEngine::Impl::release() {
  if (&io_ == &own_io_ || released_) return;
  released_ = true;
  stop_io();
  // The coroutines still waiting are destroyed with the io_context (they hold only
  // `self` and handles); nothing of ours may outlive it.
  channels_.clear();
  channel_count_ = 0;
  ready_ = false;
  ingest_.reset();
  subscriber_.reset();
  pool_.reset();
  tick_timer_.reset();
}

void RedisEngine::Impl::stop() {
  if (&io_ != &own_io_) {
    release();  // an owner that skipped shutdown(): its thread must have stopped
    return;
  }
  if (!thread_.joinable()) return;
  std::promise<void> stopped;
  asio::post(io_, [this, &stopped] {
    stop_io();
    stopped.set_value();
  });
  stopped.get_future().wait();
  // Let the aborted operations finish so every coroutine unwinds and frees what it
  // holds; a loop that does not end within 2 s is cut off (its frames are then
  // destroyed with the io_context).
  work_.reset();
  if (ran_out_.wait_for(std::chrono::seconds(2)) != std::future_status::ready) {
    spdlog::warn("redis engine: shutdown did not finish in 2 s; stopping the loop");
    io_.stop();
  }
  thread_.join();
}

bool RedisEngine::Impl::backend_up() const {
  return sharded_.has_value() && pool_->connected() && subscriber_->connected();
}

awaitable<bool> RedisEngine::Impl::decide_pubsub_mode() {
  using Mode = RedisEngineOptions::PubSub;
  if (options_.pubsub != Mode::automatic) {
    sharded_ = options_.pubsub == Mode::sharded;
    co_return true;
  }
  redis::Request req;
  req.push("INFO", "server");
  auto reply = co_await pool_->exec(req);
  if (!reply || !reply->is_string()) co_return false;
  // "redis_version:7.0.15": sharded Pub/Sub arrived in 7.0.
  int major = 0;
  if (auto at = reply->str.find("redis_version:"); at != std::string::npos)
    major = std::atoi(reply->str.c_str() + at + 14);
  sharded_ = major >= 7;
  spdlog::info("redis engine: {} Pub/Sub (server major version {})",
               *sharded_ ? "sharded" : "classic", major);
  co_return true;
}

void RedisEngine::Impl::want_feed(const std::string& name, bool subscribe) {
  const std::vector<std::string> feeds{layout::feed_channel(name)};
  if (sharded_.value_or(false)) {
    subscribe ? subscriber_->ssubscribe(feeds) : subscriber_->sunsubscribe(feeds);
  } else {
    subscribe ? subscriber_->subscribe(feeds) : subscriber_->unsubscribe(feeds);
  }
}

std::optional<std::string> RedisEngine::Impl::check_inbound(std::string_view channel,
                                                            std::string_view data) const {
  if (options_.check_channel) {
    if (auto why = options_.check_channel(channel)) return why;
  }
  boost::system::error_code ec;
  (void)boost::json::parse(data, ec);
  if (ec) return "data is not valid JSON: " + ec.message();
  return std::nullopt;
}

RedisEngineStats RedisEngine::Impl::stats() const {
  RedisEngineStats s;
  s.channels = channel_count_.load();
  s.published = published_.load();
  s.wait_short = wait_short_.load();
  s.delivered = delivered_.load();
  s.gaps_filled = gaps_filled_.load();
  s.gaps_lost = gaps_lost_.load();
  s.plain = plain_.load();
  if (ingest_) {
    s.ingested = ingest_->ingested();
    s.dead_lettered = ingest_->dead_lettered();
  }
  return s;
}

// ---------------------------------------------------------------------------------
// Publish, history

void RedisEngine::Impl::push_publish(redis::Request& request, bool eval, const std::string& channel,
                                     std::string_view data, std::string_view event) const {
  const redis::Script& script = redis_scripts::publish();
  // KEYS: meta, stream; ARGV: data, history size, ttl, feed channel, epoch if new,
  // sharded, event (redis_scripts.cpp).
  request.push(eval ? "EVAL" : "EVALSHA", eval ? script.source() : script.sha1(), 2,
               layout::meta_key(channel), layout::stream_key(channel), data,
               options_.history_size(channel), options_.history_ttl.count(),
               layout::feed_channel(channel), new_epoch(), *sharded_ ? "1" : "0", event);
}

awaitable<Result<StreamPosition>> RedisEngine::Impl::publish(std::string channel, std::string data,
                                                             std::string event) {
  if (!sharded_ || !pool_->connected()) co_return EngineError::unavailable;
  if (options_.wait_replicas == 0) {
    // Encoded straight into the request and sent with the connection's own awaitable:
    // no key/argument vectors, no Script frames (the hot path of every publish).
    redis::Connection connection = pool_->pick().handle();
    redis::Request request;
    push_publish(request, false, channel, data, event);
    auto replies = co_await connection.exec_all(request);
    if (replies && replies->size() == 1 && replies->front().is_error() &&
        replies->front().str.starts_with("NOSCRIPT")) {
      request.clear();
      push_publish(request, true, channel, data, event);  // EVAL loads it for next time
      replies = co_await connection.exec_all(request);
    }
    if (!replies || replies->size() != 1) co_return EngineError::unavailable;  // fate unknown
    co_return published(channel, replies->front());
  }
  const std::vector<std::string> keys{layout::meta_key(channel), layout::stream_key(channel)};
  const std::vector<std::string> args{std::move(data),
                                      std::to_string(options_.history_size(channel)),
                                      std::to_string(options_.history_ttl.count()),
                                      layout::feed_channel(channel),
                                      new_epoch(),
                                      *sharded_ ? "1" : "0",
                                      std::move(event)};
  // WAIT in the same request: the same connection, so it counts this write, and on a
  // cluster the primary that ran the script (WAIT has no key: the script's decides).
  redis::Request wait;
  wait.push("WAIT", options_.wait_replicas, options_.wait_replicas_timeout.count());
  wait.timeout = options_.redis.request_timeout + options_.wait_replicas_timeout;
  auto replies = co_await redis_scripts::publish().run_then(pool_->pick(), keys, args, wait);
  if (!replies || replies->size() != 2) co_return EngineError::unavailable;
  auto result = published(channel, replies->front());
  if (!result) co_return result;
  const auto acks = replies->back().as_integer();
  if (!acks || *acks < static_cast<long long>(options_.wait_replicas)) {
    ++wait_short_;
    const auto now = std::chrono::steady_clock::now();
    if (now - wait_warned_ >= std::chrono::seconds{10}) {
      wait_warned_ = now;
      spdlog::warn(
          "redis engine: publish on {}: WAIT {} got {} within {} ms; the publication stands "
          "on the primary only ({} short so far)",
          channel, options_.wait_replicas,
          acks ? std::to_string(*acks) : redis::to_string(replies->back()),
          options_.wait_replicas_timeout.count(), wait_short_.load());
    }
  }
  co_return result;
}

awaitable<std::vector<Result<StreamPosition>>> RedisEngine::Impl::publish_batch(
    std::vector<PublishRequest> batch) {
  std::vector<Result<StreamPosition>> out;
  out.reserve(batch.size());
  if (batch.size() < 2 || options_.wait_replicas != 0 || options_.redis.url.is_cluster()) {
    for (PublishRequest& p : batch)
      out.push_back(
          co_await publish(std::move(p.channel), std::move(p.data_json), std::move(p.event)));
    co_return out;
  }
  if (!sharded_ || !pool_->connected()) {
    out.assign(batch.size(), EngineError::unavailable);
    co_return out;
  }
  std::vector<redis::Script::Call> calls;
  calls.reserve(batch.size());
  for (PublishRequest& p : batch) {
    calls.push_back({{layout::meta_key(p.channel), layout::stream_key(p.channel)},
                     {std::move(p.data_json), std::to_string(options_.history_size(p.channel)),
                      std::to_string(options_.history_ttl.count()), layout::feed_channel(p.channel),
                      new_epoch(), *sharded_ ? "1" : "0", std::move(p.event)}});
  }
  auto replies = co_await redis_scripts::publish().run_all(pool_->pick(), calls);
  if (!replies || replies->size() != batch.size()) {
    out.assign(batch.size(), EngineError::unavailable);  // not sent, or fate unknown
    co_return out;
  }
  for (std::size_t i = 0; i < batch.size(); ++i)
    out.push_back(published(batch[i].channel, (*replies)[i]));
  co_return out;
}

Result<StreamPosition> RedisEngine::Impl::published(const std::string& channel,
                                                    const redis::Reply& reply) {
  auto position = position_of(reply);
  if (!position) {
    spdlog::error("redis engine: publish on {} failed: {}", channel, redis::to_string(reply));
    return EngineError::internal;
  }
  ++published_;
  return std::move(*position);
}

awaitable<std::optional<StreamPosition>> RedisEngine::Impl::head_of(const std::string& channel) {
  const std::vector<std::string> keys{layout::meta_key(channel), layout::stream_key(channel)};
  const std::vector<std::string> args{new_epoch(), std::to_string(options_.history_ttl.count())};
  auto reply = co_await redis_scripts::head().run(pool_->pick(), keys, args);
  if (!reply) co_return std::nullopt;
  co_return position_of(*reply);
}

awaitable<std::optional<std::vector<PublicationPtr>>> RedisEngine::Impl::read_range(
    const std::string& channel, const std::string& epoch, std::uint64_t from, std::uint64_t to,
    std::size_t count) {
  const std::string key = layout::stream_key(channel);
  const std::string start = layout::stream_id(from);
  const std::string end = layout::stream_id(to);
  auto entries = co_await redis::streams::xrange(pool_->pick(), key, start, end, count);
  if (!entries) co_return std::nullopt;
  co_return publications_of(channel, epoch, *entries);
}

awaitable<Result<HistoryResult>> RedisEngine::Impl::history(std::string channel,
                                                            std::optional<StreamPosition> since,
                                                            std::size_t limit) {
  if (options_.history_size(channel) == 0) co_return EngineError::history_disabled;
  if (!pool_->connected()) co_return EngineError::unavailable;
  auto head = co_await head_of(channel);
  if (!head) co_return EngineError::unavailable;
  HistoryResult result;
  result.position = *head;
  if (limit == 0 || head->offset == 0) co_return result;
  if (since) {
    // Another epoch's offsets mean nothing here: answer from the oldest message held.
    const std::uint64_t from = (since->epoch == head->epoch ? since->offset : 0) + 1;
    if (from > head->offset) co_return result;
    auto messages = co_await read_range(channel, head->epoch, from, head->offset, limit);
    if (!messages) co_return EngineError::unavailable;
    result.messages = std::move(*messages);
    co_return result;
  }
  const std::string key = layout::stream_key(channel);
  const std::string end = layout::stream_id(head->offset);
  auto entries = co_await redis::streams::xrevrange(pool_->pick(), key, end, "-", limit);
  if (!entries) co_return EngineError::unavailable;
  std::reverse(entries->begin(), entries->end());
  result.messages = publications_of(channel, head->epoch, *entries);
  co_return result;
}

// ---------------------------------------------------------------------------------
// Subscribe

awaitable<Result<SubscribeResult>> RedisEngine::Impl::subscribe(
    std::string channel, std::size_t shard, std::optional<StreamPosition> since) {
  if (!backend_up()) co_return EngineError::unavailable;
  shard %= options_.shards;
  ChannelPtr& slot = channels_[channel];
  if (!slot) {
    slot = std::make_shared<Channel>(channel, options_.shards);
    want_feed(channel, true);
    channel_count_ = channels_.size();
  }
  ChannelPtr ch = slot;  // registered before any suspension: deliveries from now on reach us
  ++ch->shard_subs[shard];
  ++ch->subscribers;

  if (!ch->feed.known()) {
    if (!ch->initializing) {
      ch->initializing = true;
      const bool ok = co_await read_head(ch, channel);
      ch->initializing = false;
      if (ch->init_done) ch->init_done->cancel();
      if (!ok) spdlog::warn("redis engine: could not read the head of {}", channel);
    } else {
      if (!ch->init_done) {
        ch->init_done.emplace(io_);
        ch->init_done->expires_at(boost::asio::steady_timer::time_point::max());
      }
      co_await ch->init_done->async_wait(kTuple);
    }
    if (ch->dead) co_return EngineError::unavailable;
    if (!ch->feed.known()) {
      unsubscribe(channel, shard);
      co_return EngineError::unavailable;
    }
  }

  // Everything above P reaches this shard through the feed (in order, filled);
  // everything up to P is in Redis (Redis is never behind the feed).
  SubscribeResult result;
  result.position = StreamPosition{ch->feed.last(), ch->feed.epoch()};
  const std::uint64_t top = result.position.offset;
  if (since && since->epoch == result.position.epoch && since->offset <= top) {
    const std::uint64_t want = top - since->offset;
    const std::size_t size = options_.history_size(channel);
    if (want == 0) {
      result.recovered = true;
    } else if (size > 0 && want <= size + 1000) {  // MAXLEN ~ keeps at most ~size + 100
      auto missed = co_await read_range(channel, result.position.epoch, since->offset + 1, top,
                                        static_cast<std::size_t>(want));
      if (ch->dead) co_return EngineError::unavailable;
      if (!missed) {
        unsubscribe(channel, shard);
        co_return EngineError::unavailable;
      }
      if (missed->size() == want && missed->front()->offset == since->offset + 1) {
        result.recovered = true;
        result.missed = std::move(*missed);
      }
    }
  }
  co_return result;
}

awaitable<bool> RedisEngine::Impl::read_head(ChannelPtr channel, std::string name) {
  // Once our SUBSCRIBE is confirmed the feed carries every publication after the
  // head we read next; the feed holds what arrives before the head is known.
  auto flushed = co_await subscriber_->flush();
  if (!flushed || channel->dead) co_return false;
  const HeadRead asked = channel->feed.head_read();
  auto head = co_await head_of(name);
  if (!head || channel->dead) co_return false;
  apply(channel, name, channel->feed.on_head(head->offset, head->epoch, asked));
  co_return true;
}

void RedisEngine::Impl::unsubscribe(const std::string& channel, std::size_t shard) {
  auto it = channels_.find(channel);
  if (it == channels_.end()) return;
  Channel& ch = *it->second;
  shard %= options_.shards;
  if (ch.shard_subs[shard] == 0) return;
  --ch.shard_subs[shard];
  if (--ch.subscribers != 0) return;
  ch.dead = true;
  if (ch.init_done) ch.init_done->cancel();
  channels_.erase(it);
  channel_count_ = channels_.size();
  if (!stopping_) want_feed(channel, false);
}

}  // namespace herald::realtime
