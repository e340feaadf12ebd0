// ScanCursor: walks the keyspace with SCAN, one batch per next(), never KEYS.
// Each batch is one SCAN call, so no single call blocks the server for long.
// As with SCAN itself, a key may be returned more than once; keys that exist for
// the whole walk are returned at least once.
// redis+cluster://: the walk visits every primary in turn (the primaries of the
// slot map when the first next() runs), one node's SCAN after the other.
#pragma once

#include <herald/redis/connection.hpp>

#include <string>
#include <vector>

namespace herald::redis {

class ScanCursor {
 public:
  /// match: a SCAN MATCH pattern ("" = all); count: the COUNT hint per call;
  /// type: a SCAN TYPE filter ("" = any). The cursor keeps a handle(), so it may
  /// outlive the connection's owner (next() then fails with closed).
  ScanCursor(Connection& connection, std::string match, std::size_t count = 1000,
             std::string type = {});

  /// The next batch of keys (possibly empty even when not done).
  boost::asio::awaitable<Result<std::vector<std::string>>> next();
  /// True once the server (every primary, on a cluster) returned cursor 0.
  bool done() const noexcept { return done_; }

 private:
  Connection connection_;
  std::vector<Connection> nodes_;  ///< connection_.nodes(), taken by the first next()
  std::size_t node_ = 0;           ///< the node being walked
  std::string match_;
  std::size_t count_;
  std::string type_;
  std::string cursor_ = "0";
  bool done_ = false;
};

}  // namespace herald::redis
