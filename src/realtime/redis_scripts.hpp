// The Redis engine's Lua scripts. Each touches the keys of one channel only (one hash
// tag), so each runs atomically on one node of a Redis Cluster too.
#pragma once

#include <herald/redis/script.hpp>

namespace herald::realtime::redis_scripts {

/// KEYS meta, stream; ARGV data, history_size, ttl_ms, feed channel, new epoch,
/// "1" for SPUBLISH, event ("" = default). Creates the epoch when the meta is gone
/// (and drops a stream left from the old epoch), takes the next offset, XADDs
/// `<offset>-0 d <data>` (plus `e <event>` when the event is not ""; MAXLEN ~),
/// refreshes both expiries and publishes redis_layout's feed payload.
/// Returns {offset, epoch}.
const redis::Script& publish();

/// KEYS meta, stream; ARGV new epoch, ttl_ms. The channel's head: creates the
/// epoch at offset 0 when the meta is gone, refreshes the meta's expiry (nodes with
/// subscribers call it periodically so the epoch outlives quiet periods). Returns
/// {offset, epoch}.
const redis::Script& head();

/// KEYS presence; ARGV ttl_ms, member... Scores each member with (Redis time + ttl)
/// and keeps the key for 2 ttl. Returns the number of members.
const redis::Script& presence_touch();

/// KEYS presence. Drops expired members, returns how many remain.
const redis::Script& presence_count();

/// KEYS admin nodes (sorted set), admin figures (hash); ARGV node id, figures JSON,
/// ttl_ms. Scores the node with (Redis time + ttl), stores its figures, keeps both
/// keys for 2 ttl. The two keys share the hash tag `{herald-admin}`.
const redis::Script& node_announce();

/// KEYS admin nodes, admin figures. Drops nodes whose score has passed (and their
/// figures), returns the figures of the rest.
const redis::Script& live_nodes();

}  // namespace herald::realtime::redis_scripts
