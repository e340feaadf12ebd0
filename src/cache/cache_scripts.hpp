// The cache's Lua scripts. Each runs atomically in Redis and touches only keys it
// is given in KEYS, all under the cache's hash tag (one slot: cluster-safe).
#pragma once

#include <herald/redis/script.hpp>

namespace herald::cache::scripts {

/// Conditional write-back (compare-and-set).
/// KEYS: entry, namespace version, lock, cache generation, tag version x n,
///       tag count x n.
/// ARGV: expected stamp ("" = absent), expected ns version, lock token ("" = no
///       lock), new entry bytes, PX ms, expected generation, expected tag version x n.
/// Writes (and counts the entry under each tag) only if the entry's stamp, the
/// namespace version, the generation, every tag version and (if given) the lock are
/// unchanged.
/// Returns 1 when written, 0 when refused.
const redis::Script& write_if_unchanged();

/// Lock release: KEYS: lock; ARGV: token. Deletes only our own lock.
const redis::Script& release_lock();

}  // namespace herald::cache::scripts
