// The engines' defaults: the one definition of each, referenced by the engines'
// option structs, the gateway's options, `herald serve`'s ServerConfig and its
// settings table (src/app/config/setting.cpp, which prints them in --help).
// Header-only constants; each says why it is what it is.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string_view>

namespace herald::realtime {

namespace defaults {
/// Messages kept per channel for recovery. 100 for 300 s covers a reconnect after a
/// network blip or a laptop lid without holding much memory (100 x 1,000 channels x
/// ~200 B = 20 MB).
inline constexpr std::size_t history_size = 100;
/// How long a channel's history lives after its last publication.
inline constexpr std::chrono::seconds history_ttl{300};
/// Redis engine: a dead node's presence entries expire after this. 30 s: counts heal
/// within half a minute.
inline constexpr std::chrono::seconds presence_ttl{30};
/// Redis engine: herald:ingest entries pending this long with their consumer are
/// claimed by another node. 30 s: far above any publish's duration.
inline constexpr std::chrono::seconds ingest_claim_idle{30};
}  // namespace defaults

/// How the Redis engine fans publications out.
enum class PubSubMode {
  automatic,  ///< SPUBLISH/SSUBSCRIBE when the server is Redis 7 or later
  sharded,    ///< always sharded Pub/Sub
  classic,    ///< always PUBLISH/SUBSCRIBE (e.g. a proxy that lacks SSUBSCRIBE)
};

/// The names of PubSubMode in configuration, for messages: "auto, sharded or classic".
inline constexpr std::string_view pubsub_mode_names = "auto, sharded or classic";

/// "auto" | "sharded" | "classic"; nullopt for anything else (no fallback).
constexpr std::optional<PubSubMode> parse_pubsub_mode(std::string_view text) noexcept {
  if (text == "auto") return PubSubMode::automatic;
  if (text == "sharded") return PubSubMode::sharded;
  if (text == "classic") return PubSubMode::classic;
  return std::nullopt;
}

}  // namespace herald::realtime
