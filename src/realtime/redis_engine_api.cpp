// RedisEngine: the public class. Every call hops to the engine thread (awaitables
// resume the caller on its own executor; the synchronous calls post) and the Impl
// does the work there.
#include "realtime/redis_engine_impl.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace herald::realtime {
namespace asio = boost::asio;
using asio::awaitable;

namespace {

using Impl = RedisEngine::Impl;

/// `(impl->*fn)(args...)` run on the engine thread; the awaitable resumes the caller
/// on its own executor. The arguments are moved into the call (owned by its frame).
/// When the caller already runs on the engine's io_context (one shard: the engine is
/// on that shard's context, RedisEngineOptions::context), the call is awaited in place:
/// no co_spawn, no post (one frame and one scheduler round trip less per publish).
template <class R, class... Params, class... Args>
awaitable<R> on_engine_thread(std::shared_ptr<Impl> impl, awaitable<R> (Impl::*fn)(Params...),
                              Args... args) {
  const asio::any_io_executor caller = co_await asio::this_coro::executor;
  if (caller == asio::any_io_executor(impl->executor()))
    co_return co_await ((*impl).*fn)(std::move(args)...);
  auto op =
      asio::co_spawn(impl->executor(), ((*impl).*fn)(std::move(args)...), asio::use_awaitable);
  co_return co_await std::move(op);
}

/// `(impl->*fn)(args...)` posted to the engine thread (the caller does not wait); the
/// arguments are copied into the posted call.
template <class... Params, class... Args>
void post_to_engine_thread(std::shared_ptr<Impl> impl, void (Impl::*fn)(Params...), Args... args) {
  asio::post(impl->executor(), [impl, fn, ... args = std::move(args)] { ((*impl).*fn)(args...); });
}

}  // namespace

RedisEngine::RedisEngine(RedisEngineOptions options, DeliverySink& sink)
    : impl_(std::make_shared<Impl>(std::move(options), sink)) {
  impl_->start();
}

RedisEngine::~RedisEngine() {
  impl_->stop();
}

awaitable<Result<StreamPosition>> RedisEngine::publish(std::string channel, std::string data_json,
                                                       std::string event) {
  return on_engine_thread(impl_, &Impl::publish, std::move(channel), std::move(data_json),
                          std::move(event));
}

awaitable<std::vector<Result<StreamPosition>>> RedisEngine::publish_batch(
    std::vector<PublishRequest> batch) {
  return on_engine_thread(impl_, &Impl::publish_batch, std::move(batch));
}

awaitable<Result<SubscribeResult>> RedisEngine::subscribe(std::string channel, std::size_t shard,
                                                          std::optional<StreamPosition> since) {
  return on_engine_thread(impl_, &Impl::subscribe, std::move(channel), shard, std::move(since));
}

void RedisEngine::unsubscribe(std::string_view channel, std::size_t shard) {
  post_to_engine_thread(impl_, &Impl::unsubscribe, std::string(channel), shard);
}

awaitable<Result<HistoryResult>> RedisEngine::history(std::string channel,
                                                      std::optional<StreamPosition> since,
                                                      std::size_t limit) {
  return on_engine_thread(impl_, &Impl::history, std::move(channel), std::move(since), limit);
}

void RedisEngine::presence_add(std::string_view channel, std::string_view client) {
  post_to_engine_thread(impl_, &Impl::presence_add, std::string(channel), std::string(client));
}

void RedisEngine::presence_remove(std::string_view channel, std::string_view client) {
  post_to_engine_thread(impl_, &Impl::presence_remove, std::string(channel), std::string(client));
}

awaitable<Result<std::size_t>> RedisEngine::presence_count(std::string channel) {
  return on_engine_thread(impl_, &Impl::presence_count, std::move(channel));
}

awaitable<Result<void>> RedisEngine::disconnect_user(std::string user) {
  return on_engine_thread(impl_, &Impl::disconnect_user, std::move(user));
}

awaitable<Result<void>> RedisEngine::announce_node(std::string node, std::string figures_json,
                                                   std::chrono::milliseconds ttl) {
  return on_engine_thread(impl_, &Impl::announce_node, std::move(node), std::move(figures_json),
                          ttl);
}

awaitable<Result<std::vector<std::string>>> RedisEngine::live_nodes() {
  return on_engine_thread(impl_, &Impl::live_nodes);
}

awaitable<std::vector<std::int64_t>> RedisEngine::history_lengths(
    std::vector<std::string> channels) {
  return on_engine_thread(impl_, &Impl::history_lengths, std::move(channels));
}

void RedisEngine::shutdown() noexcept {
  impl_->release();
}

bool RedisEngine::ready() const noexcept {
  return impl_->ready();
}

RedisEngineStats RedisEngine::stats() const {
  return impl_->stats();
}

const std::string& RedisEngine::node_id() const noexcept {
  return impl_->node_id();
}

redis::Topology RedisEngine::topology() const {
  return impl_->topology();
}

namespace {

/// A Prometheus label value: backslash, double quote and newline escaped.
std::string label_value(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace

std::string RedisEngine::prometheus() const {
  const RedisEngineStats s = stats();
  std::string out;
  auto line = [&out](const char* name, const char* type, std::uint64_t v, const char* help) {
    out += "# HELP ";
    out += name;
    out += ' ';
    out += help;
    out += '\n';
    out += "# TYPE ";
    out += name;
    out += ' ';
    out += type;
    out += '\n';
    out += name;
    out += ' ';
    out += std::to_string(v);
    out += '\n';
  };
  line("herald_engine_redis_ready", "gauge", ready() ? 1 : 0,
       "1 when the Redis engine is connected and subscribed.");
  line("herald_engine_channels", "gauge", s.channels,
       "Channels with local subscribers (one Redis subscription each).");
  line("herald_engine_published_total", "counter", s.published, "Publications written to Redis.");
  line("herald_engine_feed_delivered_total", "counter", s.delivered,
       "Publications received from the Redis feed and delivered locally.");
  line("herald_engine_gaps_filled_total", "counter", s.gaps_filled,
       "Offset gaps in the feed filled from the channel's stream.");
  line("herald_engine_gaps_lost_total", "counter", s.gaps_lost,
       "Offset gaps that could not be filled (subscribers told to resync).");
  line("herald_engine_ingested_total", "counter", s.ingested,
       "Entries taken from the herald:ingest stream.");
  line("herald_engine_dead_lettered_total", "counter", s.dead_lettered,
       "Ingest entries given up on (dead-lettered).");
  line("herald_engine_plain_delivered_total", "counter", s.plain,
       "Plain PUBLISH ws:<channel> messages delivered.");
  line("herald_engine_wait_replicas_short_total", "counter", s.wait_short,
       "Publishes whose WAIT timed out short of --redis-wait-replicas.");
  // The topology: an info gauge for the kind, one series per primary in use (at most
  // the number of primaries), and the changes of primary seen.
  const redis::Topology t = topology();
  out += "# HELP herald_engine_redis_topology The engine's Redis topology (kind label), 1.\n";
  out += "# TYPE herald_engine_redis_topology gauge\n";
  out += "herald_engine_redis_topology{kind=\"";
  out += redis::to_string(t.kind);
  out += "\"} 1\n";
  out += "# HELP herald_engine_redis_primary The Redis primaries in use (addr label), 1 each.\n";
  out += "# TYPE herald_engine_redis_primary gauge\n";
  for (const auto& p : t.primaries) {
    out += "herald_engine_redis_primary{addr=\"";
    out += label_value(p);
    out += "\"} 1\n";
  }
  line("herald_engine_redis_topology_changes_total", "counter", t.changes,
       "Changes of primary followed (failovers, slot moves).");
  return out;
}

}  // namespace herald::realtime
