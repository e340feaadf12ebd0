// MasterAddress: where Sentinel says a master is, read from the reply of
// `SENTINEL get-master-addr-by-name <name>` ([ip, port], or nil for a name it does not
// monitor). Sans-io: a pure function of the reply.
#pragma once

#include <herald/redis/error.hpp>
#include <herald/redis/reply.hpp>

#include <cstdint>
#include <string>

namespace herald::redis {

struct MasterAddress {
  std::string host;
  std::uint16_t port = 0;

  /// Errc::master_unknown for nil; Errc::unexpected_reply for any other shape than
  /// two strings, a non-empty host and a port 1..65535 in decimal.
  static Result<MasterAddress> from_reply(const Reply& reply);

  bool operator==(const MasterAddress&) const = default;
};

}  // namespace herald::redis
