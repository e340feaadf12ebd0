// RedisUrl: where and how to reach a Redis server.
//
// Accepted forms (the same as redis-cli and most clients):
//   redis://[[user]:password@]host[:port][/db]   (port 6379, db 0 by default)
//   unix:///path/to/redis.sock[?db=N]
// IPv6 hosts go in brackets: redis://[::1]:6380. User and password are
// percent-decoded. A URL with a password and no user authenticates as "default".
#pragma once

#include <herald/redis/error.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace herald::redis {

struct RedisUrl {
  enum class Transport { tcp, unix_socket };

  Transport transport = Transport::tcp;
  std::string host = "127.0.0.1";  ///< tcp only
  std::uint16_t port = 6379;       ///< tcp only
  std::string path;                ///< unix_socket only
  std::string user;                ///< empty: no ACL user (AUTH with password only)
  std::string password;            ///< empty: no AUTH
  int db = 0;                      ///< SELECT db after connecting when not 0

  /// Parses a URL; Errc::bad_url on anything it does not understand.
  static Result<RedisUrl> parse(std::string_view text);

  /// The URL without its password, for logs.
  std::string redacted() const;
};

}  // namespace herald::redis
