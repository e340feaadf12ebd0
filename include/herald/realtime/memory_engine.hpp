// MemoryEngine: the embedded single-process Engine (protocol.md: engine `memory`).
//
// Channels live in a striped hash map; each channel has its own mutex that orders
// its publishes: offset assignment, the history push and the hand-off to the
// DeliverySink all happen under it, so concurrent publishers can never be delivered
// out of order, and subscribe() reads history under the same lock (atomic recovery).
// A channel (and with it its epoch) lives while it has subscribers, presence or
// unexpired history; sweep() drops the rest, and a later publish starts a new epoch
// at offset 1. Thread-safe; no call blocks beyond its channel's mutex.
#pragma once

#include <herald/realtime/engine.hpp>
#include <herald/realtime/engine_defaults.hpp>

#include <array>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace herald::realtime {

struct MemoryEngineOptions {
  std::size_t shards = 1;  ///< number of gateway shards DeliverySink::deliver() can see
  /// History size of a channel (ChannelRules::history_size); default
  /// defaults::history_size for all.
  std::function<std::size_t(std::string_view)> history_size = [](std::string_view) {
    return defaults::history_size;
  };
  std::chrono::steady_clock::duration history_ttl = defaults::history_ttl;
  /// Time source (tests substitute a fake clock).
  std::function<std::chrono::steady_clock::time_point()> clock = [] {
    return std::chrono::steady_clock::now();
  };
};

class MemoryEngine final : public Engine {
 public:
  /// `sink` must outlive the engine.
  MemoryEngine(MemoryEngineOptions options, DeliverySink& sink);
  ~MemoryEngine() override;

  boost::asio::awaitable<Result<StreamPosition>> publish(std::string channel, std::string data_json,
                                                         std::string event = {}) override;
  boost::asio::awaitable<Result<SubscribeResult>> subscribe(
      std::string channel, std::size_t shard, std::optional<StreamPosition> since) override;
  void unsubscribe(std::string_view channel, std::size_t shard) override;
  boost::asio::awaitable<Result<HistoryResult>> history(std::string channel,
                                                        std::optional<StreamPosition> since,
                                                        std::size_t limit) override;
  void presence_add(std::string_view channel, std::string_view client) override;
  void presence_remove(std::string_view channel, std::string_view client) override;
  boost::asio::awaitable<Result<std::size_t>> presence_count(std::string channel) override;
  boost::asio::awaitable<Result<void>> disconnect_user(std::string user) override;
  bool ready() const noexcept override { return true; }
  std::string_view name() const noexcept override { return "memory"; }

  // Synchronous forms (the memory engine never waits); the awaitables wrap them.
  StreamPosition publish_now(std::string_view channel, std::string_view data_json,
                             std::string_view event = {});
  SubscribeResult subscribe_now(std::string_view channel, std::size_t shard,
                                const std::optional<StreamPosition>& since);
  Result<HistoryResult> history_now(std::string_view channel,
                                    const std::optional<StreamPosition>& since, std::size_t limit);
  std::size_t presence_count_now(std::string_view channel);
  /// Publications held in `channel`'s history (expired ones may still count until the
  /// next publish or sweep); 0 for an unknown channel. For the admin console.
  std::size_t history_length_now(std::string_view channel);
  boost::asio::awaitable<std::vector<std::int64_t>> history_lengths(
      std::vector<std::string> channels) override;

  /// Drops channels with no subscriber, no presence and no unexpired history.
  /// Call periodically (the gateway does every few seconds). Cost: O(channels).
  std::size_t sweep();
  /// Number of live channels (for /metrics).
  std::size_t channel_count() const;

  struct Channel;  // defined in memory_engine.cpp

 private:
  static constexpr std::size_t stripe_count = 16;
  struct Stripe {
    mutable std::mutex mutex;
    std::unordered_map<std::string, std::shared_ptr<Channel>> channels;
  };

  /// Returns the channel locked (with its mutex held via `lock`), creating it when
  /// `create`; nullptr when absent and !create.
  std::shared_ptr<Channel> locked(std::string_view name, bool create,
                                  std::unique_lock<std::mutex>& lock);
  Stripe& stripe_of(std::string_view name);

  MemoryEngineOptions options_;
  DeliverySink& sink_;
  std::array<Stripe, stripe_count> stripes_;
};

}  // namespace herald::realtime
