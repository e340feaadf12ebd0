// IngestConsumer: delivers `XADD herald:ingest * channel <c> data <json>` exactly as
// POST /api/publish (protocol.md section 4), one consumer per node in the group
// `herald`.
//
// Flow: XREADGROUP (blocking, on a connection of its own) -> validate -> publish ->
// XACK, so an entry is acknowledged only after its publish succeeded. An entry whose
// publish failed stays pending; every claim_idle/3 the consumer XAUTOCLAIMs entries
// pending longer than claim_idle with any consumer (a dead node's, or its own failed
// ones) and retries them. An invalid entry, or one that failed max_attempts times,
// goes to `herald:ingest:dead` (fields: id, reason, channel, data) and is acked.
// Delivery is at least once: a node dying between the publish and the XACK makes the
// entry publish twice.
//
// Thread: runs on the engine's executor; start()/stop() on that executor too.
#pragma once

#include <herald/realtime/engine.hpp>
#include <herald/redis/connection.hpp>
#include <herald/redis/pool.hpp>
#include <herald/redis/stream_entry.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace herald::realtime {

struct IngestOptions {
  std::string consumer;  ///< this node's name in the group
  std::chrono::milliseconds claim_idle{30'000};
  unsigned max_attempts = 5;
  /// Entries per read. 100: one XACK per 100 publishes, and a batch publishes in
  /// well under the claim time.
  std::size_t batch = 100;
  /// XREADGROUP BLOCK. 1 s: the loop notices stop() and claim time within a second.
  std::chrono::milliseconds block{1000};
};

class IngestConsumer {
 public:
  using Publish = std::function<boost::asio::awaitable<Result<StreamPosition>>(std::string channel,
                                                                               std::string data)>;
  /// Why an entry is refused, or nullopt (same checks as POST /api/publish).
  using Check =
      std::function<std::optional<std::string>(std::string_view channel, std::string_view data)>;

  IngestConsumer(const boost::asio::any_io_executor& executor,
                 const redis::ConnectionConfig& config, redis::Pool& pool, IngestOptions options,
                 Publish publish, Check check);
  ~IngestConsumer();
  IngestConsumer(const IngestConsumer&) = delete;
  IngestConsumer& operator=(const IngestConsumer&) = delete;

  void start();
  void stop();

  std::uint64_t ingested() const noexcept { return state_->ingested.load(); }
  std::uint64_t dead_lettered() const noexcept { return state_->dead_lettered.load(); }

  struct State {
    State(const boost::asio::any_io_executor& ex, const redis::ConnectionConfig& config,
          redis::Pool& pool, IngestOptions options, Publish publish, Check check);
    boost::asio::any_io_executor executor;
    redis::Connection reader;  ///< blocking reads only
    redis::Pool& pool;         ///< acks, claims, dead letters
    IngestOptions options;
    Publish publish;
    Check check;
    bool stopped = false;
    std::atomic<std::uint64_t> ingested{0};
    std::atomic<std::uint64_t> dead_lettered{0};
  };

 private:
  std::shared_ptr<State> state_;
};

}  // namespace herald::realtime
