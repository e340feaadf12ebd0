// server_options: see server_options.hpp.
#include "app/server_options.hpp"

#include <herald/realtime/redis_engine.hpp>
#include <herald/redis/tls_context.hpp>
#include <herald/redis/url.hpp>

#include <stdexcept>

namespace herald::app {

gateway::GatewayOptions gateway_options(const ServerConfig& c) {
  gateway::GatewayOptions o;
  o.listen_host = c.listen_host;
  o.listen_port = c.listen_port;
  o.api_key = c.api_key;
  o.jwt_secret = c.jwt_secret;
  o.jwt_public_key_pem = c.jwt_public_key_pem;
  o.allowed_origins = c.allowed_origins;
  o.history_size = c.history_size;
  o.history_ttl = c.history_ttl;
  o.ping_interval = c.ping_interval;
  o.max_message_bytes = c.max_message_bytes;
  o.threads = c.threads;
  o.max_connections = c.max_connections;
  o.max_send_queue_bytes = c.max_send_queue_bytes;
  o.send_buffer_bytes = c.send_buffer_bytes;
  o.write_delay = c.write_delay;
  o.publish_backpressure_bytes = c.publish_backpressure_bytes;
  o.unauthenticated_output_bytes = c.unauthenticated_output_bytes;
  o.max_header_bytes = c.max_header_bytes;
  o.header_timeout = c.header_timeout;
  o.max_http_connections = c.max_http_connections;
  o.route_prefix = c.route_prefix;
  o.client_rate_limit = c.client_rate_limit;
  o.max_subscriptions_per_connection = c.max_subscriptions_per_connection;
  o.channels = c.channels;
  o.admin_password = c.admin_password;
  o.admin_jwt_role = c.admin_jwt_role;
  o.admin_nodes_interval = c.admin_nodes_interval;
  o.node_id = c.node_id;
  return o;
}

std::string cache_redis_url(const ServerConfig& c) {
  return c.cache_redis_url.empty() ? c.redis_url : c.cache_redis_url;
}

proxy::ProxyOptions proxy_options(const ServerConfig& c) {
  proxy::ProxyOptions po;
  po.upstream_host = c.upstream_host;
  po.upstream_port = c.upstream_port;
  po.header_timeout = c.upstream_timeout;
  po.body_timeout = c.upstream_timeout;
  po.connect_timeout = c.upstream_connect_timeout;
  po.routes = c.routes;
  return po;
}

void use_redis_engine(gateway::GatewayOptions& options, const ServerConfig& settings) {
  if (settings.redis_url.empty()) return;
  auto url = redis::RedisUrl::parse(settings.redis_url);
  if (!url) throw std::invalid_argument("--redis: bad URL");
  realtime::RedisEngineOptions ro;
  ro.redis.url = *url;
  ro.redis.client_name = "herald-engine";
  // One TLS context for the engine's pool, subscriber and ingest consumer; a file
  // that cannot be loaded stops the start, with the reason.
  if (std::string why = redis::prepare_tls(ro.redis); !why.empty())
    throw std::invalid_argument("--redis: " + why);
  ro.history_ttl = settings.history_ttl;
  ro.presence_ttl = settings.presence_ttl;
  ro.ingest_claim_idle = settings.ingest_claim_idle;
  ro.node_id = settings.node_id;
  ro.wait_replicas = settings.redis_wait_replicas;
  ro.pubsub = settings.pubsub;
  // Inbound publications (herald:ingest, ws:*) pass the same check as POST /api/publish.
  ro.check_channel = [](std::string_view channel) -> std::optional<std::string> {
    if (!gateway::valid_channel_name(channel)) return "invalid channel name";
    return std::nullopt;
  };
  auto rules = std::make_shared<gateway::ChannelRules>(settings.channels, settings.history_size);
  // Set by the factory when the Server builds the engine, before any /metrics request.
  auto engine = std::make_shared<realtime::RedisEngine*>(nullptr);
  options.extra_metrics = [base = std::move(options.extra_metrics), engine] {
    std::string text = base ? base() : std::string{};
    if (*engine != nullptr) text += (*engine)->prometheus();
    return text;
  };
  options.engine_factory = [ro = std::move(ro), rules, engine](
                               realtime::DeliverySink& sink,
                               std::size_t shards) -> std::unique_ptr<realtime::Engine> {
    realtime::RedisEngineOptions o = ro;
    o.shards = shards;
    o.context = sink.engine_context();  // one shard: no thread of its own
    o.history_size = [rules](std::string_view c) { return rules->history_size(c); };
    auto made = std::make_unique<realtime::RedisEngine>(std::move(o), sink);
    *engine = made.get();
    return made;
  };
}

}  // namespace herald::app
