// Server: the real-time gateway (protocol.md sections 1-3): one listening port for
// HTTP/1.1, WebSocket (/ws) and SSE (/sse), N shards (one io_context thread each,
// connections pinned), and an Engine behind them. Beast stays out of this header.
#pragma once

#include <herald/gateway/gateway_options.hpp>

#include <cstdint>
#include <memory>

namespace herald::gateway {

class Server {
 public:
  /// Validates the options (JWT key, channel rules); throws std::invalid_argument
  /// naming the bad one.
  explicit Server(GatewayOptions options);
  ~Server();  // shuts down if still running
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Binds the port and starts the shard threads. Throws boost::system::system_error
  /// when the address cannot be bound.
  void start();
  /// The bound port (after start()).
  std::uint16_t port() const noexcept;
  /// The engine (exists from construction on): for in-process publishers such as an
  /// app wired in through GatewayOptions::app_handler. Thread-safe.
  realtime::Engine& engine() noexcept;
  /// Graceful drain: stop accepting, send every client `disconnect` 3001 with
  /// reconnect:true, wait up to shutdown_grace for them to close, stop the threads.
  /// Blocks; call from a thread that is not a shard. Idempotent.
  void shutdown();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace herald::gateway
