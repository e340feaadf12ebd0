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
  /// Computes the SHA1 once (OpenSSL). Cost: O(source size).
  explicit Script(std::string source);

  const std::string& source() const noexcept { return source_; }
  const std::string& sha1() const noexcept { return sha1_; }

  /// Runs the script. An error reply raised by the script is returned as a value.
  boost::asio::awaitable<Result<Reply>> run(Connection& connection,
                                            const std::vector<std::string>& keys,
                                            const std::vector<std::string>& args) const;

 private:
  std::string source_;
  std::string sha1_;
};

}  // namespace herald::redis
