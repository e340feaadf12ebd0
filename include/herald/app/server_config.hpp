// ServerConfig: everything `herald serve` is configured with (protocol.md section 5).
//
// Sources, highest precedence first: command-line flag > environment variable >
// TOML file given by --config > the defaults below. load_server_config() validates
// everything at start-up and fails with a message naming the bad key, so a bad
// deployment dies at once instead of misbehaving later.
#pragma once

#include <herald/gateway/channel_rules.hpp>
#include <herald/proxy/route_rule.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace herald::app {

struct ServerConfig {
  /// 127.0.0.1:8080: loopback by default so a first run exposes nothing.
  std::string listen_host = "127.0.0.1";
  std::uint16_t listen_port = 8080;
  /// Empty: the embedded memory engine (one node, no dependency).
  std::string redis_url;
  /// Empty: the cache uses redis_url.
  std::string cache_redis_url;
  /// The app behind Herald's HTTP cache gateway (`--upstream http://HOST:PORT`):
  /// every request for a path Herald does not serve itself goes there. Empty host:
  /// no upstream (such requests get 404, as before).
  std::string upstream_host;
  std::uint16_t upstream_port = 0;
  /// How long the upstream may take to send an answer's header, and then its body.
  /// 30 s: a slow page render, under the 60 s idle timeout of common load balancers.
  std::chrono::seconds upstream_timeout{30};
  /// Connecting to the upstream. 2 s: on the same host or LAN it takes well under 1 ms.
  std::chrono::seconds upstream_connect_timeout{2};
  /// Herald's own routes under this path ("/_herald"); empty: at the root.
  std::string route_prefix;
  /// Redis engine: auto (sharded SPUBLISH/SSUBSCRIBE on Redis 7+), sharded or classic.
  std::string pubsub = "auto";
  /// Redis engine: a node's presence entries expire this long after it stops
  /// refreshing them (it died). 30 s: counts heal within half a minute.
  std::chrono::seconds presence_ttl{30};
  /// Redis engine: replicas that must acknowledge a publication (WAIT) before the
  /// publish answers; 0 = asynchronous replication (docs/operations.md, Sentinel).
  unsigned redis_wait_replicas = 0;
  /// Redis engine: herald:ingest entries pending this long are claimed from their
  /// (presumed dead) consumer. 30 s: far above any publish's duration.
  std::chrono::seconds ingest_claim_idle{30};
  /// Redis engine: this node's consumer name; empty = random per process. A stable
  /// name lets a restarted node take back the entries it left pending at once.
  std::string node_id;
  /// Empty: the HTTP API answers only loopback clients.
  std::string api_key;
  /// HS256 secret; empty with no public key: anonymous connections.
  std::string jwt_secret;
  /// RS256 public key, PEM text read from the file named by --jwt-public-key.
  std::string jwt_public_key_pem;
  /// Empty: same-origin only (requests without Origin allowed). "*" allows any.
  std::vector<std::string> allowed_origins;
  /// Per channel: 100 messages for 300 s covers a reconnect after a network blip or a
  /// laptop lid without holding much memory (100 x 1,000 channels x ~200 B = 20 MB).
  std::size_t history_size = 100;
  std::chrono::seconds history_ttl{300};
  /// 25 s: under the 30-60 s idle timeouts of common proxies and load balancers.
  std::chrono::seconds ping_interval{25};
  /// 64 KiB per inbound WebSocket frame: plenty for commands, small enough to bound
  /// per-connection memory.
  std::size_t max_message_bytes = 65536;
  std::string log_format = "text";  ///< text | json
  std::string log_level = "info";   ///< trace | debug | info | warn | error
  /// 0 = one shard (io_context thread) per core.
  unsigned threads = 0;
  /// Cap on open connections; beyond it new upgrades get HTTP 503.
  std::size_t max_connections = 100000;
  /// Bytes queued to one connection before it is dropped as a slow consumer (3008).
  /// 1 MiB: several seconds of a busy channel; a reader further behind than that is
  /// better served by reconnecting and recovering.
  std::size_t max_send_queue_bytes = 1 << 20;
  /// SO_SNDBUF of WebSocket/SSE sockets (0 = kernel autotuning): GatewayOptions.
  std::size_t send_buffer_bytes = 4 * 1024;
  /// Queued bytes (all connections) beyond which HTTP publishes wait, then get 503.
  std::size_t publish_backpressure_bytes = 2u << 20;
  /// The same for a WebSocket that has not authenticated yet (its pongs included).
  std::size_t unauthenticated_output_bytes = 64 * 1024;
  /// Request line + header fields beyond this get 414 / 431.
  std::size_t max_header_bytes = 16 * 1024;
  /// A request must arrive within this; idle keep-alive connections close after it.
  std::chrono::seconds header_timeout{60};
  /// Plain HTTP connections beyond which new ones get 503 and are closed.
  std::size_t max_http_connections = 10000;
  /// Channels one connection may subscribe to. 1000: far above any dashboard's needs,
  /// low enough that one client cannot make the node hold millions of subscriptions.
  std::size_t max_subscriptions_per_connection = 1000;
  /// Client frames per second per connection (token bucket, burst = 2x).
  double client_rate_limit = 100;
  std::vector<gateway::ChannelRule> channels;  ///< [[channel]] rules, in file order
  std::vector<proxy::RouteRule> routes;        ///< [[route]] rules (HTTP cache gateway)
  std::string config_file;                     ///< the --config path, empty if none
};

/// Outcome of parsing the command line of `herald serve`.
struct ConfigError {
  int exit_code = 2;    ///< 0 for --help (the text is in message), 2 for bad input
  std::string message;  ///< names the bad flag/variable/key and why
};

/// Parses flags (argv excludes the program and "serve"), environment (`env`, e.g.
/// from environ) and the TOML file named by --config / HERALD_CONFIG.
std::variant<ServerConfig, ConfigError> load_server_config(
    const std::vector<std::string>& args, const std::map<std::string, std::string>& env);

/// The current process environment as a map, for load_server_config().
std::map<std::string, std::string> environment_map();

}  // namespace herald::app
