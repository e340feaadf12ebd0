// The table of `herald serve` settings (protocol.md section 5). Bounds beyond the
// spec's are there to catch typos and overflow, not to police taste: seconds stay
// below ~31 years so converting to milliseconds cannot overflow, threads <= 1024,
// one inbound frame <= 1 GiB. Defaults are the libraries' constants
// (gateway_defaults.hpp, engine_defaults.hpp), printed from them: one definition each.
#include "setting.hpp"

#include <herald/gateway/gateway_defaults.hpp>
#include <herald/realtime/engine_defaults.hpp>

#include <array>
#include <cctype>
#include <limits>

namespace herald::app::detail {
namespace {

constexpr std::uint64_t size_max = std::numeric_limits<std::size_t>::max();

/// N in decimal, as text with static storage (for Setting::default_text).
template <std::uint64_t N>
struct Decimal {
  static constexpr std::size_t size = [] {
    std::size_t n = 1;
    for (std::uint64_t v = N; v >= 10; v /= 10) ++n;
    return n;
  }();
  static constexpr std::array<char, size> chars = [] {
    std::array<char, size> a{};
    std::uint64_t v = N;
    for (std::size_t i = size; i-- > 0; v /= 10) a[i] = static_cast<char>('0' + v % 10);
    return a;
  }();
  static constexpr std::string_view text{chars.data(), size};
};
template <std::uint64_t N>
constexpr std::string_view decimal = Decimal<N>::text;

namespace gd = gateway::defaults;
namespace rd = realtime::defaults;
static_assert(decimal<0> == "0" && decimal<65536> == "65536");
// The listen default's text, checked against its parts.
constexpr std::string_view listen_default = "127.0.0.1:8080";
static_assert(listen_default.substr(0, listen_default.find(':')) == gd::listen_host &&
              listen_default.substr(listen_default.find(':') + 1) == decimal<gd::listen_port>);
constexpr std::uint64_t max_seconds = 1'000'000'000;

Problem apply_size(std::string_view text, std::uint64_t min, std::uint64_t max, std::size_t& out) {
  std::uint64_t n = 0;
  if (auto p = parse_unsigned(text, min, max, n)) return p;
  out = static_cast<std::size_t>(n);
  return std::nullopt;
}

Problem apply_seconds(std::string_view text, std::chrono::seconds& out) {
  std::uint64_t n = 0;
  if (auto p = parse_unsigned(text, 1, max_seconds, n)) return p;
  out = std::chrono::seconds(static_cast<std::int64_t>(n));
  return std::nullopt;
}

constexpr std::array<Setting, 37> table{{
    {"listen", "--listen", "HERALD_LISTEN", "HOST:PORT",
     "address to listen on; [::1]:8080 for IPv6, :8080 for every interface", listen_default,
     TomlKind::string,
     [](std::string_view t, ConfigDraft& d) {
       return parse_listen(t, d.config.listen_host, d.config.listen_port);
     }},
    {"redis", "--redis", "HERALD_REDIS_URL", "URL",
     "Redis engine: redis://[user:pass@]host:port/db, rediss://...?ca_file=FILE (TLS), "
     "redis+sentinel://[user:pass@]host:26379,.../MASTER (Sentinel; docs/operations.md), "
     "redis+cluster://[user:pass@]host:port,... (Redis Cluster; docs/operations.md) or "
     "unix:///path",
     "none (the embedded memory engine)", TomlKind::string,
     [](std::string_view t, ConfigDraft& d) { return parse_redis_url(t, d.config.redis_url); }},
    {"cache_redis", "--cache-redis", "HERALD_CACHE_REDIS_URL", "URL",
     "Redis for the cache, when not the engine's", "the --redis URL", TomlKind::string,
     [](std::string_view t, ConfigDraft& d) {
       return parse_redis_url(t, d.config.cache_redis_url);
     }},
    {"upstream", "--upstream", "HERALD_UPSTREAM", "URL",
     "HTTP cache gateway: the app (http://HOST:PORT) that gets every request for a path "
     "Herald does not serve itself; GET/HEAD answers are cached (RFC 9111)",
     "none (such requests get 404)", TomlKind::string,
     [](std::string_view t, ConfigDraft& d) {
       return parse_upstream_url(t, d.config.upstream_host, d.config.upstream_port);
     }},
    {"upstream_timeout", "--upstream-timeout", "HERALD_UPSTREAM_TIMEOUT", "SECONDS",
     "upstream answer timeout, for the header and again for the body (then 504)", "30",
     TomlKind::integer,
     [](std::string_view t, ConfigDraft& d) {
       return apply_seconds(t, d.config.upstream_timeout);
     }},
    {"upstream_connect_timeout", "--upstream-connect-timeout", "HERALD_UPSTREAM_CONNECT_TIMEOUT",
     "SECONDS", "upstream connect timeout (then 502, or a stale copy within stale-if-error)", "2",
     TomlKind::integer,
     [](std::string_view t, ConfigDraft& d) {
       return apply_seconds(t, d.config.upstream_connect_timeout);
     }},
    {"route_prefix", "--route-prefix", "HERALD_ROUTE_PREFIX", "PATH",
     "serve Herald's own routes under PATH (/_herald/ws, /_herald/api/publish, ...), "
     "leaving every other path, the bare names included, to the app",
     "none (at the root)", TomlKind::string,
     [](std::string_view t, ConfigDraft& d) -> Problem {
       if (t.empty()) {
         d.config.route_prefix.clear();
         return std::nullopt;
       }
       if (t.size() < 2 || t.front() != '/' || t.back() == '/' || t.size() > 64)
         return "expected a path such as /_herald (starts with /, no trailing /)";
       for (char c : t)
         if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '_' || c == '-' ||
               c == '.'))
           return "expected letters, digits, '/', '_', '-' or '.'";
       d.config.route_prefix = std::string(t);
       return std::nullopt;
     }},
    {"pubsub", "--pubsub", "HERALD_PUBSUB", "auto|sharded|classic",
     "Redis engine fan-out: sharded SPUBLISH/SSUBSCRIBE (auto: on Redis 7+) or classic", "auto",
     TomlKind::string,
     [](std::string_view t, ConfigDraft& d) -> Problem {
       auto mode = realtime::parse_pubsub_mode(t);
       if (!mode)
         return "expected " + std::string(realtime::pubsub_mode_names) + ", got " + printable(t);
       d.config.pubsub = *mode;
       return std::nullopt;
     }},
    {"presence_ttl", "--presence-ttl", "HERALD_PRESENCE_TTL", "SECONDS",
     "Redis engine: presence of a node that died expires after this",
     decimal<rd::presence_ttl.count()>, TomlKind::integer,
     [](std::string_view t, ConfigDraft& d) { return apply_seconds(t, d.config.presence_ttl); }},
    {"redis_wait_replicas", "--redis-wait-replicas", "HERALD_REDIS_WAIT_REPLICAS", "N",
     "Redis engine: a publish answers once N replicas acknowledged it (WAIT N 1000 after "
     "the publish script; on timeout the publish still succeeds and "
     "herald_engine_wait_replicas_short_total counts it); 0: asynchronous replication",
     "0", TomlKind::integer,
     [](std::string_view t, ConfigDraft& d) -> Problem {
       std::uint64_t n = 0;
       if (auto p = parse_unsigned(t, 0, 1000, n)) return p;
       d.config.redis_wait_replicas = static_cast<unsigned>(n);
       return std::nullopt;
     }},
    {"ingest_claim_idle", "--ingest-claim-idle", "HERALD_INGEST_CLAIM_IDLE", "SECONDS",
     "Redis engine: herald:ingest entries pending this long are claimed by another node",
     decimal<rd::ingest_claim_idle.count()>, TomlKind::integer,
     [](std::string_view t, ConfigDraft& d) {
       return apply_seconds(t, d.config.ingest_claim_idle);
     }},
    {"node_id", "--node-id", "HERALD_NODE_ID", "NAME",
     "Redis engine: this node's consumer name (keep it stable across restarts)",
     "random per process", TomlKind::string,
     [](std::string_view t, ConfigDraft& d) -> Problem {
       if (t.empty() || t.size() > 64 || t.find_first_of(" \t\r\n") != std::string_view::npos)
         return "must be 1-64 characters without spaces";
       d.config.node_id = std::string(t);
       return std::nullopt;
     }},
    {"api_key", "--api-key", "HERALD_API_KEY", "KEY",
     "key for the HTTP API (Authorization: apikey KEY)",
     "none (the HTTP API answers only loopback clients)", TomlKind::string,
     [](std::string_view t, ConfigDraft& d) -> Problem {
       d.config.api_key = std::string(t);
       return std::nullopt;
     }},
    {"admin_password", "--admin-password", "HERALD_ADMIN_PASSWORD", "PASSWORD",
     "turns the admin console (/admin) on: the password of its login (docs/operations.md)",
     "none (no password login; the console is off unless --admin-jwt-role is set)",
     TomlKind::string,
     [](std::string_view t, ConfigDraft& d) -> Problem {
       if (t.size() < 8) return "must be at least 8 characters";
       d.config.admin_password = std::string(t);
       return std::nullopt;
     }},
    {"admin_jwt_role", "--admin-jwt-role", "HERALD_ADMIN_JWT_ROLE", "ROLE",
     "turns the admin console (/admin) on: a client JWT with this role in `roles` may log in",
     "none (no JWT login)", TomlKind::string,
     [](std::string_view t, ConfigDraft& d) -> Problem {
       if (t.empty()) return "must not be empty";
       d.config.admin_jwt_role = std::string(t);
       return std::nullopt;
     }},
    {"admin_nodes_interval", "--admin-nodes-interval", "HERALD_ADMIN_NODES_INTERVAL", "SECONDS",
     "admin console, Redis engine: how often each node writes its figures to Redis (they "
     "expire after 3 intervals)",
     "2", TomlKind::integer,
     [](std::string_view t, ConfigDraft& d) -> Problem {
       std::uint64_t n = 0;
       if (auto p = parse_unsigned(t, 1, 3600, n)) return p;
       d.config.admin_nodes_interval = std::chrono::seconds(static_cast<std::int64_t>(n));
       return std::nullopt;
     }},
    {"jwt_secret", "--jwt-secret", "HERALD_JWT_SECRET", "SECRET", "HS256 secret for client JWTs",
     "none (anonymous connections)", TomlKind::string,
     [](std::string_view t, ConfigDraft& d) -> Problem {
       d.config.jwt_secret = std::string(t);
       return std::nullopt;
     }},
    {"jwt_public_key", "--jwt-public-key", "HERALD_JWT_PUBLIC_KEY", "FILE",
     "PEM RSA public key file for RS256 client JWTs", "none (anonymous connections)",
     TomlKind::string,
     [](std::string_view t, ConfigDraft& d) -> Problem {
       d.jwt_public_key_path = std::string(t);
       return std::nullopt;
     }},
    {"allowed_origins", "--allowed-origins", "HERALD_ALLOWED_ORIGINS", "A,B",
     "browser origins allowed to connect; * allows any",
     "same-origin only (requests without Origin allowed)", TomlKind::string_list,
     [](std::string_view t, ConfigDraft& d) { return parse_origins(t, d.config.allowed_origins); }},
    {"history_size", "--history-size", "HERALD_HISTORY_SIZE", "N",
     "messages kept per channel for recovery; 0 disables history", decimal<rd::history_size>,
     TomlKind::integer,
     [](std::string_view t, ConfigDraft& d) {
       return apply_size(t, 0, size_max, d.config.history_size);
     }},
    {"history_ttl", "--history-ttl", "HERALD_HISTORY_TTL", "SECONDS",
     "how long a channel's history is kept after its last message",
     decimal<rd::history_ttl.count()>, TomlKind::integer,
     [](std::string_view t, ConfigDraft& d) { return apply_seconds(t, d.config.history_ttl); }},
    {"ping_interval", "--ping-interval", "HERALD_PING_INTERVAL", "SECONDS",
     "heartbeat interval; peers silent for longer are evicted", decimal<gd::ping_interval.count()>,
     TomlKind::integer,
     [](std::string_view t, ConfigDraft& d) { return apply_seconds(t, d.config.ping_interval); }},
    {"max_message_bytes", "--max-message-bytes", "HERALD_MAX_MESSAGE_BYTES", "N",
     "largest inbound WebSocket frame (bigger: close 1009)", decimal<gd::max_message_bytes>,
     TomlKind::integer,
     [](std::string_view t, ConfigDraft& d) {
       return apply_size(t, 1, 1u << 30, d.config.max_message_bytes);
     }},
    {"log_format", "--log-format", "HERALD_LOG_FORMAT", "text|json", "log line format", "text",
     TomlKind::string,
     [](std::string_view t, ConfigDraft& d) {
       return parse_choice(t, {"text", "json"}, d.config.log_format);
     }},
    {"log_level", "--log-level", "HERALD_LOG_LEVEL", "LEVEL", "trace, debug, info, warn or error",
     "info", TomlKind::string,
     [](std::string_view t, ConfigDraft& d) {
       return parse_choice(t, {"trace", "debug", "info", "warn", "error"}, d.config.log_level);
     }},
    {"threads", "--threads", "HERALD_THREADS", "N",
     "io threads (shards); 0 = one per core but one (the cache's thread has its own), at least 1",
     "0", TomlKind::integer,
     [](std::string_view t, ConfigDraft& d) -> Problem {
       std::uint64_t n = 0;
       if (auto p = parse_unsigned(t, 0, 1024, n)) return p;
       d.config.threads = static_cast<unsigned>(n);
       return std::nullopt;
     }},
    {"max_connections", "--max-connections", "HERALD_MAX_CONNECTIONS", "N",
     "open connections beyond which upgrades get HTTP 503", decimal<gd::max_connections>,
     TomlKind::integer,
     [](std::string_view t, ConfigDraft& d) {
       return apply_size(t, 1, size_max, d.config.max_connections);
     }},
    {"max_send_queue_bytes", "--max-send-queue-bytes", "HERALD_MAX_SEND_QUEUE_BYTES", "N",
     "bytes waiting unwritten for one connection before it is dropped (close 3008)",
     decimal<gd::max_send_queue_bytes>, TomlKind::integer,
     [](std::string_view t, ConfigDraft& d) {
       return apply_size(t, 1, size_max, d.config.max_send_queue_bytes);
     }},
    {"send_buffer_bytes", "--send-buffer-bytes", "HERALD_SEND_BUFFER_BYTES", "N",
     "SO_SNDBUF of WebSocket/SSE sockets, so backlog stays visible in the send queue (0: "
     "kernel autotuning)",
     decimal<gd::send_buffer_bytes>, TomlKind::integer,
     [](std::string_view t, ConfigDraft& d) {
       return apply_size(t, 0, 1u << 30, d.config.send_buffer_bytes);
     }},
    {"write_delay_ms", "--write-delay-ms", "HERALD_WRITE_DELAY_MS", "MS",
     "WebSocket frames wait up to this long to share one send() (0: write at once)",
     decimal<gd::write_delay.count()>, TomlKind::integer,
     [](std::string_view t, ConfigDraft& d) -> Problem {
       std::uint64_t n = 0;
       if (auto p = parse_unsigned(t, 0, 1000, n)) return p;
       d.config.write_delay = std::chrono::milliseconds(static_cast<std::int64_t>(n));
       return std::nullopt;
     }},
    {"publish_backpressure_bytes", "--publish-backpressure-bytes",
     "HERALD_PUBLISH_BACKPRESSURE_BYTES", "N",
     "bytes queued to clients in total beyond which HTTP publishes wait (2 s), then get 503",
     decimal<gd::publish_backpressure_bytes>, TomlKind::integer,
     [](std::string_view t, ConfigDraft& d) {
       return apply_size(t, 1, size_max, d.config.publish_backpressure_bytes);
     }},
    {"unauthenticated_output_bytes", "--unauthenticated-output-bytes",
     "HERALD_UNAUTHENTICATED_OUTPUT_BYTES", "N",
     "the same bound before a WebSocket authenticates (pongs included)",
     decimal<gd::unauthenticated_output_bytes>, TomlKind::integer,
     [](std::string_view t, ConfigDraft& d) {
       return apply_size(t, 1, size_max, d.config.unauthenticated_output_bytes);
     }},
    {"max_header_bytes", "--max-header-bytes", "HERALD_MAX_HEADER_BYTES", "N",
     "request line + header fields (beyond: HTTP 414 / 431)", decimal<gd::max_header_bytes>,
     TomlKind::integer,
     [](std::string_view t, ConfigDraft& d) {
       return apply_size(t, 256, 1u << 30, d.config.max_header_bytes);
     }},
    {"header_timeout", "--header-timeout", "HERALD_HEADER_TIMEOUT", "SECONDS",
     "time for a request to arrive; idle keep-alive connections close after it",
     decimal<gd::header_timeout.count()>, TomlKind::integer,
     [](std::string_view t, ConfigDraft& d) { return apply_seconds(t, d.config.header_timeout); }},
    {"max_http_connections", "--max-http-connections", "HERALD_MAX_HTTP_CONNECTIONS", "N",
     "plain HTTP connections beyond which new ones get HTTP 503", decimal<gd::max_http_connections>,
     TomlKind::integer,
     [](std::string_view t, ConfigDraft& d) {
       return apply_size(t, 1, size_max, d.config.max_http_connections);
     }},
    {"max_subscriptions_per_connection", "--max-subscriptions-per-connection",
     "HERALD_MAX_SUBSCRIPTIONS_PER_CONNECTION", "N",
     "channels one connection may subscribe to (beyond: error 400)",
     decimal<gd::max_subscriptions_per_connection>, TomlKind::integer,
     [](std::string_view t, ConfigDraft& d) {
       return apply_size(t, 1, size_max, d.config.max_subscriptions_per_connection);
     }},
    {"rate_limit", "--rate-limit", "HERALD_RATE_LIMIT", "PER_SECOND",
     "client frames per second per connection (burst 2x)", decimal<gd::client_rate_limit>,
     TomlKind::number,
     [](std::string_view t, ConfigDraft& d) {
       return parse_positive_number(t, d.config.client_rate_limit);
     }},
}};

}  // namespace

std::span<const Setting> settings() {
  return table;
}

const Setting* setting_for_key(std::string_view key) {
  for (const auto& s : table) {
    if (s.key == key) return &s;
  }
  return nullptr;
}

}  // namespace herald::app::detail
