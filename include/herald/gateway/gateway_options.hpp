// GatewayOptions: what the gateway needs to run (a subset of app::ServerConfig, kept
// separate so the gateway does not depend on the app's config loader, and tests can
// start a server in-process with short timeouts).
#pragma once

#include <herald/gateway/app_routes.hpp>
#include <herald/gateway/channel_rules.hpp>
#include <herald/gateway/gateway_defaults.hpp>
#include <herald/realtime/engine_defaults.hpp>

#include <boost/system/result.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace herald::realtime {
class Engine;
class DeliverySink;
}  // namespace herald::realtime

namespace herald::proxy {
class HttpProxy;
}

namespace herald::gateway {

struct GatewayOptions {
  std::string listen_host{defaults::listen_host};
  std::uint16_t listen_port =
      defaults::listen_port;       ///< 0: an ephemeral port (Server::port() tells which)
  std::string api_key;             ///< empty: the HTTP API answers loopback clients only
  std::string jwt_secret;          ///< HS256; with jwt_public_key_pem empty too: anonymous
  std::string jwt_public_key_pem;  ///< RS256
  std::vector<std::string> allowed_origins;  ///< empty: same-origin; "*": any
  std::size_t history_size = realtime::defaults::history_size;
  std::chrono::seconds history_ttl{realtime::defaults::history_ttl};
  /// WebSocket ping after this much silence; a peer silent for twice as long is dropped.
  std::chrono::milliseconds ping_interval{defaults::ping_interval};
  /// One inbound WebSocket frame (close 1009).
  std::size_t max_message_bytes = defaults::max_message_bytes;
  unsigned threads = 0;  ///< shards; 0 = one per core but one (min 1)
  /// WebSocket + SSE; beyond: HTTP 503.
  std::size_t max_connections = defaults::max_connections;
  /// Bytes that may wait unwritten for one connection (queued frames; separately, its
  /// WebSocket control frames such as pongs); beyond: dropped (3008).
  std::size_t max_send_queue_bytes = defaults::max_send_queue_bytes;
  /// The same bound for a WebSocket that has not authenticated yet: an anonymous peer
  /// gets replies to a few frames, not a megabyte of pongs it never reads.
  std::size_t unauthenticated_output_bytes = defaults::unauthenticated_output_bytes;
  /// Publish backpressure: while more than this is queued to clients in total, HTTP
  /// publishes wait (up to publish_backpressure_wait) for the queues to drain, so
  /// publishers that outrun the sockets are slowed down instead of every subscriber
  /// being dropped as a slow consumer. Still over the limit after the wait: the publish
  /// is refused, 503 with `Retry-After: 1` (herald_publish_refused_total).
  std::size_t publish_backpressure_bytes = defaults::publish_backpressure_bytes;
  std::chrono::milliseconds publish_backpressure_wait{2000};
  /// SO_SNDBUF of every WebSocket and SSE socket (0: the kernel's autotuning).
  std::size_t send_buffer_bytes = defaults::send_buffer_bytes;
  /// WebSocket and Socket.IO frames wait this long for others before a shard writes
  /// them, so several go in one send() (Shard::schedule_write); 0 = at once.
  std::chrono::milliseconds write_delay = defaults::write_delay;
  /// Frames/s per connection, burst 2x; 0 = unlimited.
  double client_rate_limit = defaults::client_rate_limit;
  /// Channels one connection may hold (WebSocket subscribes, SSE `?channel=`); beyond
  /// it a subscribe gets error 400 "too many subscriptions". Bounds what one client can
  /// make a node hold (each subscription costs a few hundred bytes across the
  /// connection, its shard and the engine, and an unsubscribe on close) while staying
  /// far above what a real page needs (Centrifugo's default cap is 128).
  std::size_t max_subscriptions_per_connection = defaults::max_subscriptions_per_connection;
  std::vector<ChannelRule> channels;
  /// 5 s for the first-frame `auth` (protocol.md section 6).
  std::chrono::milliseconds auth_timeout{5000};
  /// How long a graceful shutdown waits for clients to take their disconnect frame.
  std::chrono::milliseconds shutdown_grace{3000};
  /// HTTP request bodies above this get 413 (protocol.md section 6: 1 MiB).
  std::size_t max_http_body = 1 << 20;
  /// A request line and header fields above this get 414 / 431.
  std::size_t max_header_bytes = defaults::max_header_bytes;
  /// A request (head and body) must arrive within this of the connection's previous
  /// answer or its opening; an idle keep-alive connection is closed after it.
  std::chrono::milliseconds header_timeout{defaults::header_timeout};
  /// Plain HTTP connections (keep-alive ones idle between requests included; upgraded
  /// ones count toward max_connections instead); beyond: 503 and close.
  std::size_t max_http_connections = defaults::max_http_connections;
  /// Builds the engine (default: the memory engine). The sink and shard count are the
  /// gateway's; the Redis engine plugs in here.
  std::function<std::unique_ptr<realtime::Engine>(realtime::DeliverySink&, std::size_t shards)>
      engine_factory;

  /// Requests for paths the gateway does not serve itself go here (app_routes.hpp);
  /// empty: 404. App routes are the app's: the API key does not apply to them.
  AppHandler app_handler;
  /// POST /api/invalidate {"tags":[...]} -> {"keys":N}; empty: 501 "cache not
  /// configured". Called on a shard thread; must not block.
  std::function<boost::asio::awaitable<boost::system::result<std::size_t>>(
      std::vector<std::string> tags)>
      invalidate_tags;
  /// The HTTP cache gateway (`herald serve --upstream`): when set, every request for a
  /// path the gateway does not serve itself (HttpApi::owns) goes to it instead of
  /// app_handler. Must outlive the server.
  proxy::HttpProxy* proxy = nullptr;
  /// Herald's own routes live under this path (e.g. "/_herald": /_herald/ws,
  /// /_herald/api/publish, /_herald/metrics), for apps that own one of their names;
  /// every other path, the bare names included, is the app's. Empty: at the root.
  /// Starts with '/', does not end with one (checked by the settings table).
  std::string route_prefix;
  /// Admin console (/admin; docs/operations.md "Admin console"): on when either is
  /// set. The password of its login form; a client JWT whose `roles` hold
  /// admin_jwt_role may log in too.
  std::string admin_password;
  std::string admin_jwt_role;
  /// Redis engine: how often each node writes its figures for the console (they
  /// expire after 3 intervals, so a dead node drops out).
  std::chrono::milliseconds admin_nodes_interval{2000};
  /// This node's name on the console (the Redis engine's node id); empty: random.
  std::string node_id;
  /// Figures beyond the gateway's own for the console (cache, proxy): the text of a
  /// JSON object, merged into each snapshot. Called on a shard thread once a second;
  /// must be cheap and thread-safe. Empty: none.
  std::function<std::string()> admin_figures;
  /// Extra Prometheus text appended to /metrics (e.g. the cache's counters). Called on
  /// a shard thread; must be cheap and thread-safe.
  std::function<std::string()> extra_metrics;
};

}  // namespace herald::gateway
