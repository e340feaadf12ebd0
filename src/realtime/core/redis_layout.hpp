// redis_layout: the names and encodings the Redis engine shares with every other node
// (docs/redis-layout.md is the reference). Sans-io: string functions only, unit-tested
// and fuzzed without a server.
//
// One channel's keys share the hash tag `{<channel>}` (channel names cannot contain
// braces), so they live in one Redis Cluster slot and one Lua script may touch them
// all; its Pub/Sub feed channel carries the same tag for SPUBLISH.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace herald::realtime::redis_layout {

/// Hash {o: latest offset, e: epoch}. Expires history_ttl after the last publish;
/// nodes with subscribers keep it alive (so the epoch lives while anyone listens).
std::string meta_key(std::string_view channel);
/// Stream of publications, entry id `<offset>-0`, field `d` (the data JSON) and,
/// when not the default, `e` (the publication's event name).
std::string stream_key(std::string_view channel);
/// Sorted set: member = connection id, score = expiry (Redis server ms).
std::string presence_key(std::string_view channel);
/// The channel's live feed (PUBLISH or SPUBLISH): payloads from encode_feed().
std::string feed_channel(std::string_view channel);
/// The Herald channel a feed channel belongs to; nullopt for anything else.
std::optional<std::string_view> channel_of_feed(std::string_view feed);

/// Stream ids are offsets: `<offset>-0`.
std::string stream_id(std::uint64_t offset);
std::optional<std::uint64_t> offset_of_stream_id(std::string_view id);

inline constexpr std::string_view kIngestStream = "herald:ingest";
inline constexpr std::string_view kIngestGroup = "herald";
inline constexpr std::string_view kDeadLetterStream = "herald:ingest:dead";
/// Node-to-node control messages (see encode_disconnect()).
inline constexpr std::string_view kControlChannel = "herald:control";
/// Admin console node registry (one hash tag, so one cluster slot): a sorted set of
/// node ids scored by expiry (Redis server ms) and a hash node id -> figures JSON.
/// Each node refreshes its entry every few seconds; a dead node's expires.
inline constexpr std::string_view kAdminNodesKey = "herald:{herald-admin}:nodes";
inline constexpr std::string_view kAdminFiguresKey = "herald:{herald-admin}:figures";
/// Plain Pub/Sub from other apps: `PUBLISH ws:<channel> <json>`.
inline constexpr std::string_view kPlainPattern = "ws:*";
inline constexpr std::string_view kPlainPrefix = "ws:";

/// A live feed payload: `<offset> <epoch> <data>`, or `<offset> <epoch> @<event> <data>`
/// when the event is not the default (written by the publish script; JSON data never
/// starts with `@`, so payloads without an event keep their old form and meaning).
struct FeedMessage {
  std::uint64_t offset = 0;
  std::string_view epoch;
  std::string_view data;
  std::string_view event;  ///< "" = the default
};
std::string encode_feed(std::uint64_t offset, std::string_view epoch, std::string_view data,
                        std::string_view event = {});
/// nullopt when the payload is not a feed message (offset not a positive integer,
/// epoch missing or empty, `@` not followed by a valid event name and a space).
std::optional<FeedMessage> decode_feed(std::string_view payload);

/// Control message "d <origin node> <user>": disconnect `user` everywhere.
struct DisconnectMessage {
  std::string_view origin;
  std::string_view user;
};
std::string encode_disconnect(std::string_view origin, std::string_view user);
std::optional<DisconnectMessage> decode_disconnect(std::string_view payload);

}  // namespace herald::realtime::redis_layout
