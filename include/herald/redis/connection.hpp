// Connection: one pipelined, self-reconnecting connection to Redis.
//
// Many requests may be in flight at once; replies are matched to requests in
// order. The connection runs its own loop (connect, handshake, read, write,
// reconnect with capped exponential backoff + jitter) from start() until stop().
//
// Contract:
//   * Thread: every member is called on the executor given to the constructor (one
//     io_context thread, or a strand). Coroutines may be awaited from any coroutine
//     running on that executor.
//   * While disconnected, exec() fails at once with Errc::not_connected: nothing is
//     queued behind an outage. Requests in flight when the socket dies fail with
//     Errc::connection_lost as soon as the death is seen (EOF/RST: at once).
//   * A Redis error reply is a value (Reply::is_error()), never an Errc.
//   * Pub/Sub commands (SUBSCRIBE, ...) belong on a Subscriber, not here.
//   * redis+cluster:// URLs: the Connection is a cluster client (a connection per
//     primary, requests routed by their key's slot, MOVED/ASK followed; see
//     src/redis/cluster_client.hpp). Every member keeps its meaning; connected()
//     means "the slot map is known and every primary is connected". A request's
//     commands must name keys of one slot (hash tags), as Redis Cluster requires.
// Cost: exec() appends the request's bytes to one write buffer; all requests issued
// while a write is in flight go out in the next single write (coalescing).
#pragma once

#include <herald/redis/config.hpp>
#include <herald/redis/error.hpp>
#include <herald/redis/reply.hpp>
#include <herald/redis/request.hpp>
#include <herald/redis/topology.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

namespace herald::redis {

/// Counters a Connection keeps; read them on the connection's executor.
struct ConnectionStats {
  std::uint64_t connects = 0;          ///< successful connect + handshake
  std::uint64_t connect_failures = 0;  ///< failed attempts (refused, timeout, auth)
  std::uint64_t requests = 0;          ///< requests accepted for sending
  std::uint64_t rejected = 0;          ///< requests refused with not_connected
  std::uint64_t timeouts = 0;          ///< requests completed with Errc::timeout
  std::uint64_t lost = 0;              ///< requests failed with connection_lost
  /// Why the last connect attempt failed (e.g. Errc::handshake_failed for a wrong
  /// password, connection_refused, Errc::connect_timeout); cleared on success.
  boost::system::error_code last_connect_error;
};

class ClusterClient;

class Connection {
 public:
  using executor_type = boost::asio::any_io_executor;

  Connection(executor_type executor, ConnectionConfig config);
  /// The owning handle stops the connection; in-flight requests fail with
  /// Errc::closed. A handle() copy stops nothing.
  ~Connection();
  Connection(Connection&&) noexcept = default;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  Connection& operator=(Connection&&) = delete;

  /// A second, non-owning handle to the same connection. It stays valid after the
  /// owner is destroyed (requests then fail with closed), so helpers that await more
  /// than once (Script, ScanCursor) keep one instead of a reference.
  Connection handle() const;

  /// Starts the connect/reconnect loop. Idempotent.
  void start();
  /// Closes the socket and ends the loop; pending requests fail with Errc::closed.
  void stop();

  /// Sends a request and returns all its replies, one per command, in order.
  boost::asio::awaitable<Result<std::vector<Reply>>> exec_all(const Request& request);
  /// Sends a request and returns the reply of its last command (the common case is
  /// a one-command request; for MULTI..EXEC this is EXEC's array).
  boost::asio::awaitable<Result<Reply>> exec(const Request& request);

  /// Waits until the connection is up (true) or the timeout passes (false).
  boost::asio::awaitable<bool> wait_connected(std::chrono::milliseconds timeout);

  /// The connections that operations visiting every node (SCAN) must use: one per
  /// primary for a redis+cluster:// URL (empty until the slot map is known),
  /// otherwise a handle() to this one.
  std::vector<Connection> nodes() const;

  bool connected() const noexcept;
  /// The deployment this connection talks to and its primary(ies) now (for /metrics).
  /// Thread: any (reads a snapshot under a lock). Cost: copies the primaries' names.
  Topology topology() const;
  /// Requests sent and not yet answered (including timed-out ones whose replies are
  /// still owed by the server).
  std::size_t in_flight() const noexcept;
  const ConnectionStats& stats() const noexcept;
  executor_type get_executor() const noexcept;

  class Impl;

 private:
  friend class Pool;
  /// A cluster client with `per_node` connections to each node (Pool's size).
  Connection(executor_type executor, ConnectionConfig config, std::size_t per_node);
  Connection(std::shared_ptr<Impl> impl, std::shared_ptr<ClusterClient> cluster, bool owner)
      : impl_(std::move(impl)), cluster_(std::move(cluster)), owner_(owner) {}
  std::shared_ptr<Impl> impl_;              ///< single server / Sentinel
  std::shared_ptr<ClusterClient> cluster_;  ///< redis+cluster:// (impl_ is null then)
  bool owner_ = true;
};

}  // namespace herald::redis
