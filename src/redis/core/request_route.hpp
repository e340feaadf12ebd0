// RequestRoute: where a Request goes in a Redis Cluster, read from its RESP bytes
// (the commands and their first key), so that callers keep building ordinary
// Requests and the cluster client routes them. Sans-io, a pure function.
//
// Per command: the key is argument 1 (GET, SET, MGET, XADD, SPUBLISH, ... the common
// case), argument 3 of EVAL/EVALSHA/FCALL (when numkeys > 0), argument 2 of
// XGROUP/XINFO/OBJECT/MEMORY subcommands, and the first name after STREAMS of
// XREAD/XREADGROUP. No key: PING, INFO, PUBLISH (classic Pub/Sub reaches every
// node), SCAN (per node: ScanCursor walks each primary itself), ... go to any
// primary; SCRIPT, FLUSHALL, FLUSHDB and FUNCTION go to every primary.
// MULTI/EXEC/DISCARD/ASKING/WATCH-less control commands do not decide anything.
// Cost: one pass over the commands' argument headers, no allocation.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace herald::redis {

struct RequestRoute {
  enum class Kind {
    any,   ///< no key: any primary
    slot,  ///< the owner of `slot`
    all,   ///< every primary (SCRIPT LOAD, FLUSHALL, ...)
  };

  Kind kind = Kind::any;
  std::uint16_t slot = 0;
  /// The request's commands name keys of more than one slot: it is routed by the
  /// first, and a command for another slot is answered -MOVED (not retried).
  bool cross_slot = false;

  /// nullopt when `payload` is not a sequence of RESP arrays of bulk strings (what
  /// Request builds), e.g. truncated.
  static std::optional<RequestRoute> of(std::string_view payload);

  bool operator==(const RequestRoute&) const = default;
};

}  // namespace herald::redis
