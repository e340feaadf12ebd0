// ServerConfig: everything `herald serve` is configured with (protocol.md section 5).
//
// Sources, highest precedence first: command-line flag > environment variable >
// TOML file given by --config > the defaults below, which are the libraries' own
// (gateway_defaults.hpp, engine_defaults.hpp: one definition each, also printed by
// --help). load_server_config() validates
// everything at start-up and fails with a message naming the bad key, so a bad
// deployment dies at once instead of misbehaving later.
#pragma once

#include <herald/gateway/channel_rules.hpp>
#include <herald/gateway/gateway_defaults.hpp>
#include <herald/proxy/route_rule.hpp>
#include <herald/realtime/engine_defaults.hpp>

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
  std::string listen_host{gateway::defaults::listen_host};
  std::uint16_t listen_port = gateway::defaults::listen_port;
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
  realtime::PubSubMode pubsub = realtime::PubSubMode::automatic;
  /// Redis engine: a node's presence entries expire this long after it stops
  /// refreshing them (it died).
  std::chrono::seconds presence_ttl{realtime::defaults::presence_ttl};
  /// Redis engine: replicas that must acknowledge a publication (WAIT) before the
  /// publish answers; 0 = asynchronous replication (docs/operations.md, Sentinel).
  unsigned redis_wait_replicas = 0;
  /// Redis engine: herald:ingest entries pending this long are claimed from their
  /// (presumed dead) consumer.
  std::chrono::seconds ingest_claim_idle{realtime::defaults::ingest_claim_idle};
  /// Redis engine: this node's consumer name; empty = random per process. A stable
  /// name lets a restarted node take back the entries it left pending at once.
  std::string node_id;
  /// Empty: the HTTP API answers only loopback clients.
  std::string api_key;
  /// Admin console: its login password (empty: no password login).
  std::string admin_password;
  /// Admin console: a JWT with this role may log in (empty: no JWT login).
  std::string admin_jwt_role;
  /// Admin console, Redis engine: node figures written every this often.
  std::chrono::seconds admin_nodes_interval{2};
  /// HS256 secret; empty with no public key: anonymous connections.
  std::string jwt_secret;
  /// RS256 public key, PEM text read from the file named by --jwt-public-key.
  std::string jwt_public_key_pem;
  /// Empty: same-origin only (requests without Origin allowed). "*" allows any.
  std::vector<std::string> allowed_origins;
  /// Per channel (the reasons are in engine_defaults.hpp).
  std::size_t history_size = realtime::defaults::history_size;
  std::chrono::seconds history_ttl{realtime::defaults::history_ttl};
  std::chrono::seconds ping_interval{gateway::defaults::ping_interval};
  /// One inbound WebSocket frame.
  std::size_t max_message_bytes = gateway::defaults::max_message_bytes;
  std::string log_format = "text";  ///< text | json
  std::string log_level = "info";   ///< trace | debug | info | warn | error
  /// 0 = one shard (io_context thread) per core.
  unsigned threads = 0;
  /// Gateway limits (the reasons are in gateway_defaults.hpp).
  std::size_t max_connections = gateway::defaults::max_connections;
  std::size_t max_send_queue_bytes = gateway::defaults::max_send_queue_bytes;
  std::size_t send_buffer_bytes = gateway::defaults::send_buffer_bytes;
  std::chrono::milliseconds write_delay = gateway::defaults::write_delay;
  std::size_t publish_backpressure_bytes = gateway::defaults::publish_backpressure_bytes;
  std::size_t unauthenticated_output_bytes = gateway::defaults::unauthenticated_output_bytes;
  std::size_t max_header_bytes = gateway::defaults::max_header_bytes;
  std::chrono::seconds header_timeout{gateway::defaults::header_timeout};
  std::size_t max_http_connections = gateway::defaults::max_http_connections;
  std::size_t max_subscriptions_per_connection =
      gateway::defaults::max_subscriptions_per_connection;
  /// Client frames per second per connection (token bucket, burst = 2x).
  double client_rate_limit = gateway::defaults::client_rate_limit;
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
