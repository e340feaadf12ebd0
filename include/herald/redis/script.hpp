// Script: a Lua script run with EVALSHA, falling back to EVAL when the server does
// not know it yet (NOSCRIPT: after a restart or SCRIPT FLUSH). EVAL also caches the
// script, so the next call is an EVALSHA again.
#pragma once

#include <herald/redis/connection.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace herald::redis {

class Script {
 public:
  /// The keys and arguments of one run (run_all).
  struct Call {
    std::vector<std::string> keys;
    std::vector<std::string> args;
  };

  /// Computes the SHA1 once (OpenSSL). Cost: O(source size).
  explicit Script(std::string source);

  const std::string& source() const noexcept { return source_; }
  const std::string& sha1() const noexcept { return sha1_; }

  /// Runs the script. An error reply raised by the script is returned as a value.
  boost::asio::awaitable<Result<Reply>> run(Connection& connection,
                                            const std::vector<std::string>& keys,
                                            const std::vector<std::string>& args) const;
  /// Runs the script followed, in the same Request, by the commands of `after` (e.g.
  /// WAIT): one connection, and on a cluster the primary that owns the script's keys
  /// (a keyless `after` does not change the route). Returns the script's reply, then
  /// one reply per command of `after`. On NOSCRIPT both are sent again with EVAL.
  /// The request's timeout is `after.timeout` (zero: the connection's default).
  boost::asio::awaitable<Result<std::vector<Reply>>> run_then(Connection& connection,
                                                              const std::vector<std::string>& keys,
                                                              const std::vector<std::string>& args,
                                                              const Request& after) const;

  /// Runs the script once per call, all in one pipelined Request on one connection
  /// (one write, executed in order): one reply per call, in order. Calls answered
  /// NOSCRIPT (all of them after a restart; the tail after a SCRIPT FLUSH that came
  /// in between) run again with EVAL, in order, in a second request. Not for a
  /// cluster connection unless every call's keys share one slot.
  boost::asio::awaitable<Result<std::vector<Reply>>> run_all(Connection& connection,
                                                             const std::vector<Call>& calls) const;

 private:
  std::string source_;
  std::string sha1_;
};

}  // namespace herald::redis
