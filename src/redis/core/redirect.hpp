// Redirect: a Redis Cluster redirection read from an error reply:
// `MOVED <slot> <host>:<port>` (the slot lives there now: update the slot map) or
// `ASK <slot> <host>:<port>` (this one command goes there, after ASKING, while the
// slot migrates). Sans-io, a pure function of the error text (without the '-').
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace herald::redis {

struct Redirect {
  enum class Kind { moved, ask };

  Kind kind = Kind::moved;
  std::uint16_t slot = 0;
  /// Empty when the server did not know its own endpoint (":6380", Redis 7 with
  /// cluster-preferred-endpoint-type unknown-endpoint): the caller uses the host it
  /// sent the command to.
  std::string host;
  std::uint16_t port = 0;

  /// nullopt for any text that is not exactly a MOVED or ASK error with a slot
  /// 0..16383 and a port 1..65535. IPv6 hosts come unbracketed ("::1:7000": the
  /// port is after the last ':').
  static std::optional<Redirect> parse(std::string_view error);

  bool operator==(const Redirect&) const = default;
};

}  // namespace herald::redis
