// IngestConsumer: the herald:ingest consumer-group loop (see ingest_consumer.hpp).
#include "realtime/ingest_consumer.hpp"

#include "realtime/core/redis_layout.hpp"

#include <herald/redis/streams.hpp>

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <unordered_map>

namespace herald::realtime {
namespace asio = boost::asio;
using asio::awaitable;
using Clock = std::chrono::steady_clock;
namespace layout = redis_layout;

namespace {

using State = IngestConsumer::State;

awaitable<void> sleep_for(const asio::any_io_executor& ex, std::chrono::milliseconds d) {
  asio::steady_timer t{ex};
  t.expires_after(d);
  co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
}

/// Moves `entry` to the dead-letter stream and acks it. False when Redis failed
/// (the entry stays pending and is tried again later).
awaitable<bool> dead_letter(State& s, const redis::StreamEntry& entry, std::string reason) {
  const std::string* channel = redis::find_field(entry, "channel");
  const std::string* data = redis::find_field(entry, "data");
  redis::StreamFields fields{{"id", entry.id},
                             {"reason", std::move(reason)},
                             {"channel", channel ? *channel : std::string{}},
                             {"data", data ? *data : std::string{}}};
  auto added = co_await redis::streams::xadd(s.pool.pick(), layout::kDeadLetterStream, fields,
                                             std::size_t{10000});
  if (!added) co_return false;
  const std::vector<std::string> ids{entry.id};
  auto acked = co_await redis::streams::xack(s.pool.pick(), layout::kIngestStream,
                                             layout::kIngestGroup, ids);
  if (!acked) co_return false;
  ++s.dead_lettered;
  spdlog::warn("ingest: entry {} moved to {}: {}", entry.id, layout::kDeadLetterStream,
               fields[1].second);
  co_return true;
}

/// Publishes a batch in order and acks what was published (one XACK). `attempts`
/// maps ids to their delivery count (retries only); entries at the limit that fail
/// again are dead-lettered.
awaitable<void> process(State& s, std::vector<redis::StreamEntry> entries,
                        std::unordered_map<std::string, long long> attempts) {
  std::vector<std::string> done;
  for (const auto& entry : entries) {
    if (s.stopped) break;
    const std::string* channel = redis::find_field(entry, "channel");
    const std::string* data = redis::find_field(entry, "data");
    if (channel == nullptr || data == nullptr) {
      co_await dead_letter(s, entry, "fields 'channel' and 'data' are required");
      continue;
    }
    if (auto why = s.check(*channel, *data)) {
      co_await dead_letter(s, entry, *why);
      continue;
    }
    auto published = co_await s.publish(*channel, *data);
    if (published) {
      done.push_back(entry.id);
      continue;
    }
    auto it = attempts.find(entry.id);
    const long long tries = it == attempts.end() ? 1 : it->second;
    if (tries >= static_cast<long long>(s.options.max_attempts)) {
      co_await dead_letter(
          s, entry,
          "publish failed " + std::to_string(tries) + " times: " + published.error().message());
    }
    // Otherwise it stays pending: claimed again after claim_idle.
  }
  if (done.empty()) co_return;
  auto acked = co_await redis::streams::xack(s.pool.pick(), layout::kIngestStream,
                                             layout::kIngestGroup, done);
  if (acked) s.ingested += done.size();
}

/// Claims entries left pending too long (by anyone) and retries them.
awaitable<void> claim(State& s) {
  std::string cursor = "0-0";
  for (int round = 0; round < 10 && !s.stopped; ++round) {
    auto claimed = co_await redis::streams::xautoclaim(
        s.pool.pick(), layout::kIngestStream, layout::kIngestGroup, s.options.consumer,
        s.options.claim_idle, cursor, s.options.batch);
    if (!claimed) co_return;
    if (!claimed->entries.empty()) {
      // Delivery counts of what we now own (XAUTOCLAIM itself does not report them).
      const std::string& first = claimed->entries.front().id;
      const std::string& last = claimed->entries.back().id;
      auto pending = co_await redis::streams::xpending_range(
          s.pool.pick(), layout::kIngestStream, layout::kIngestGroup, first, last,
          claimed->entries.size(), s.options.consumer);
      std::unordered_map<std::string, long long> attempts;
      if (pending) {
        for (const auto& p : *pending) attempts[p.id] = p.deliveries;
      }
      spdlog::info("ingest: claimed {} pending entr{} idle over {} ms", claimed->entries.size(),
                   claimed->entries.size() == 1 ? "y" : "ies", s.options.claim_idle.count());
      co_await process(s, std::move(claimed->entries), std::move(attempts));
    }
    cursor = claimed->next_cursor;
    if (cursor == "0-0") co_return;
  }
}

awaitable<void> run(std::shared_ptr<State> self) {
  State& s = *self;
  const auto claim_every = std::max(s.options.claim_idle / 3, std::chrono::milliseconds{100});
  auto next_claim = Clock::now();
  bool group_ready = false;
  while (!s.stopped) {
    if (!s.reader.connected()) {
      group_ready = false;
      if (!co_await s.reader.wait_connected(std::chrono::milliseconds{1000})) continue;
    }
    if (!group_ready) {
      // From "0": entries added before any node ran are delivered too.
      auto created = co_await redis::streams::xgroup_create(s.reader, layout::kIngestStream,
                                                            layout::kIngestGroup, "0", true);
      if (!created) {
        co_await sleep_for(s.executor, std::chrono::milliseconds{200});
        continue;
      }
      group_ready = true;
    }
    if (Clock::now() >= next_claim) {
      co_await claim(s);
      next_claim = Clock::now() + claim_every;
    }
    const std::vector<redis::streams::StreamCursor> cursors{
        {std::string(layout::kIngestStream), ">"}};
    auto batches =
        co_await redis::streams::xreadgroup(s.reader, layout::kIngestGroup, s.options.consumer,
                                            cursors, s.options.batch, s.options.block);
    if (!batches) {
      if (batches.error() == redis::Errc::server_error) group_ready = false;  // NOGROUP
      co_await sleep_for(s.executor, std::chrono::milliseconds{100});
      continue;
    }
    for (auto& batch : *batches) co_await process(s, std::move(batch.entries), {});
  }
}

}  // namespace

IngestConsumer::State::State(const asio::any_io_executor& ex, const redis::ConnectionConfig& config,
                             redis::Pool& p, IngestOptions o, Publish pub, Check c)
    : executor(ex),
      reader(ex, config),
      pool(p),
      options(std::move(o)),
      publish(std::move(pub)),
      check(std::move(c)) {}

IngestConsumer::IngestConsumer(const asio::any_io_executor& executor,
                               const redis::ConnectionConfig& config, redis::Pool& pool,
                               IngestOptions options, Publish publish, Check check)
    : state_(std::make_shared<State>(executor, config, pool, std::move(options), std::move(publish),
                                     std::move(check))) {}

IngestConsumer::~IngestConsumer() {
  stop();
}

void IngestConsumer::start() {
  state_->reader.start();
  asio::co_spawn(state_->executor, run(state_), asio::detached);
}

void IngestConsumer::stop() {
  if (state_->stopped) return;
  state_->stopped = true;
  state_->reader.stop();
}

}  // namespace herald::realtime
