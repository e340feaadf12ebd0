// engine_factory: see engine_factory.hpp.
#include "app/engine_factory.hpp"

#include <herald/realtime/redis_engine.hpp>
#include <herald/redis/tls_context.hpp>
#include <herald/redis/url.hpp>

#include <stdexcept>

namespace herald::app {

void use_redis_engine(gateway::GatewayOptions& options, const EngineSettings& settings) {
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
  ro.wait_replicas = settings.wait_replicas;
  using Mode = realtime::RedisEngineOptions::PubSub;
  ro.pubsub = settings.pubsub == "sharded"   ? Mode::sharded
              : settings.pubsub == "classic" ? Mode::classic
                                             : Mode::automatic;
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
    o.history_size = [rules](std::string_view c) { return rules->history_size(c); };
    auto made = std::make_unique<realtime::RedisEngine>(std::move(o), sink);
    *engine = made.get();
    return made;
  };
}

}  // namespace herald::app
