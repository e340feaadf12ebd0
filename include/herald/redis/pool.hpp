// Pool: N pipelined Connections to one server, for load that one socket cannot carry
// (one connection is one server-side client: Redis parses it on one thread anyway,
// but several sockets spread kernel and client-side work).
//
// Thread: like Connection, every member is called on the pool's executor.
// Choice: exec() uses the connected connection with the fewest requests in flight;
// ties go round-robin. With none connected it fails fast (Errc::not_connected).
// redis+cluster:// URLs: the pool is one cluster Connection holding `size`
// connections to each primary (size() is 1; see connection.hpp), so callers of
// pick() and exec() need not know the topology.
#pragma once

#include <herald/redis/connection.hpp>

#include <cstddef>
#include <memory>
#include <vector>

namespace herald::redis {

class Pool {
 public:
  Pool(const Connection::executor_type& executor, const ConnectionConfig& config, std::size_t size);

  void start();
  void stop();

  boost::asio::awaitable<Result<Reply>> exec(const Request& request);
  boost::asio::awaitable<Result<std::vector<Reply>>> exec_all(const Request& request);

  /// Waits until every connection is up (true) or the timeout passes (false).
  boost::asio::awaitable<bool> wait_connected(std::chrono::milliseconds timeout);

  /// The connection exec() would use now; for helpers (scripts, SCAN, streams)
  /// that take a Connection&. Valid for the pool's lifetime.
  Connection& pick() noexcept;
  Connection& at(std::size_t i) noexcept { return *connections_[i]; }
  std::size_t size() const noexcept { return connections_.size(); }
  /// True when at least one connection is up.
  bool connected() const noexcept;
  /// Connection::topology() of the pool's connections (they share one URL).
  /// Thread: any.
  Topology topology() const { return connections_.front()->topology(); }

 private:
  std::vector<std::unique_ptr<Connection>> connections_;
  std::size_t next_ = 0;
};

}  // namespace herald::redis
