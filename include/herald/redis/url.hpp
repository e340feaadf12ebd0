// RedisUrl: where and how to reach a Redis server.
//
// Accepted forms (the same as redis-cli and most clients):
//   redis://[[user]:password@]host[:port][/db]   (port 6379, db 0 by default)
//   rediss://[[user]:password@]host[:port][/db][?TLS options]   (TLS; port 6379)
//   unix:///path/to/redis.sock[?db=N]
//   redis+sentinel://[[user]:password@]host1[:port],host2[:port],.../MASTER[?options]
//   rediss+sentinel://...   (the same over TLS: sentinels and data connections)
//   redis+cluster://[[user]:password@]host1[:port],host2[:port],...[/][?options]
//   rediss+cluster://...    (the same over TLS, to every node)
// Sentinel URLs (the ioredis / go-redis convention): the hosts are sentinels (port
// 26379 by default, at most 32), MASTER is the monitored master's name. The userinfo
// is the *data* connections' credentials; Sentinel's own are query options:
//   sentinel_password=PASS   AUTH to the sentinels (default: none)
//   sentinel_user=USER       ACL user for that AUTH (needs sentinel_password)
//   db=N                     SELECT on the data connections
// plus the TLS options below on rediss+sentinel://. host/port of a Sentinel URL are
// unused (the master's address is asked of the sentinels on every connect).
// Cluster URLs: the hosts are seed nodes of a Redis Cluster (port 6379 by default,
// at most 32); any one that answers gives the slot map (CLUSTER SHARDS), and the
// client then connects to every primary it names. host/port are the first seed.
// No db (a cluster has only database 0); the TLS options below on rediss+cluster://
// apply to every node (server_name, when set, is verified on all of them).
// IPv6 hosts go in brackets: redis://[::1]:6380. User, password and query values are
// percent-decoded ('+' stays '+': write a space as %20). A URL with a password and no
// user authenticates as "default".
//
// TLS options (rediss:// only; on redis:// or unix:// they are refused, so a missing
// "s" cannot silently mean plaintext), each at most once:
//   ca_file=PATH      PEM CA certificate(s) that sign the server's certificate
//   ca_dir=PATH       a directory of hashed CA certificates (c_rehash / openssl rehash)
//                     neither: the system's default trust store (SSL_CERT_FILE and
//                     SSL_CERT_DIR apply as for every OpenSSL program)
//   cert_file=PATH    client certificate chain (PEM) for mutual TLS
//   key_file=PATH     its private key (PEM); default: the key inside cert_file
//   server_name=NAME  the name sent as SNI and verified in the server's certificate;
//                     default: the URL's host (an IP literal is verified as an IP
//                     address and sends no SNI)
//   insecure=true     no certificate or host name verification (encrypted but not
//                     authenticated); logged as a warning. Default false.
#pragma once

#include <herald/redis/error.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace herald::redis {

/// TLS settings of a rediss:// URL (see the forms above). Plain data, no OpenSSL.
struct TlsOptions {
  bool enabled = false;  ///< rediss://
  std::string ca_file;
  std::string ca_dir;
  std::string cert_file;
  std::string key_file;
  std::string server_name;  ///< empty: the URL's host
  bool insecure = false;

  bool operator==(const TlsOptions&) const = default;
};

/// One sentinel of a redis+sentinel:// URL.
struct SentinelAddress {
  std::string host;
  std::uint16_t port = 26379;

  bool operator==(const SentinelAddress&) const = default;
};

/// The Sentinel part of a redis+sentinel:// URL. Plain data.
struct SentinelOptions {
  std::vector<SentinelAddress> sentinels;  ///< empty: not a Sentinel URL
  std::string master_name;
  std::string user;      ///< sentinel_user
  std::string password;  ///< sentinel_password; empty: no AUTH to the sentinels

  bool operator==(const SentinelOptions&) const = default;
};

/// One seed node of a redis+cluster:// URL.
struct ClusterSeed {
  std::string host;
  std::uint16_t port = 6379;

  bool operator==(const ClusterSeed&) const = default;
};

struct RedisUrl {
  enum class Transport { tcp, unix_socket };

  Transport transport = Transport::tcp;
  std::string host = "127.0.0.1";    ///< tcp only
  std::uint16_t port = 6379;         ///< tcp only
  std::string path;                  ///< unix_socket only
  std::string user;                  ///< empty: no ACL user (AUTH with password only)
  std::string password;              ///< empty: no AUTH
  int db = 0;                        ///< SELECT db after connecting when not 0
  TlsOptions tls;                    ///< tcp only
  SentinelOptions sentinel;          ///< tcp only; set on redis+sentinel:// URLs
  std::vector<ClusterSeed> cluster;  ///< tcp only; the seeds of a redis+cluster:// URL

  /// The master's address is discovered through sentinels (redis+sentinel://).
  bool is_sentinel() const noexcept { return !sentinel.sentinels.empty(); }

  /// A Redis Cluster: requests are routed by key slot (redis+cluster://).
  bool is_cluster() const noexcept { return !cluster.empty(); }

  /// At most this many sentinels (or cluster seeds) in one URL.
  static constexpr std::size_t kMaxSentinels = 32;

  /// Parses a URL; Errc::bad_url on anything it does not understand.
  static Result<RedisUrl> parse(std::string_view text);

  /// The URL without its passwords and TLS file paths, for logs
  /// ("rediss://" and an insecure=true stay visible; a Sentinel URL keeps its
  /// sentinels and master name, a Cluster URL its seeds).
  std::string redacted() const;

  /// The name the server's certificate is verified against (and sent as SNI).
  const std::string& tls_server_name() const noexcept {
    return tls.server_name.empty() ? host : tls.server_name;
  }
};

}  // namespace herald::redis
