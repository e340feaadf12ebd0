// MasterAddress::from_reply: see master_address.hpp.
#include "redis/core/master_address.hpp"

#include <charconv>

namespace herald::redis {

Result<MasterAddress> MasterAddress::from_reply(const Reply& reply) {
  if (reply.is_nil()) return Errc::master_unknown;
  if (!reply.is_array() || reply.elements.size() != 2 || !reply.elements[0].is_string() ||
      !reply.elements[1].is_string() || reply.elements[0].str.empty())
    return Errc::unexpected_reply;
  MasterAddress out{reply.elements[0].str, 0};
  const std::string& p = reply.elements[1].str;
  unsigned value = 0;
  auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), value);
  if (ec != std::errc{} || ptr != p.data() + p.size() || value == 0 || value > 65535)
    return Errc::unexpected_reply;
  out.port = static_cast<std::uint16_t>(value);
  return out;
}

}  // namespace herald::redis
