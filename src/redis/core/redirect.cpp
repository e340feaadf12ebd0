// Redirect::parse: see redirect.hpp.
#include "redis/core/redirect.hpp"

#include "redis/core/key_slot.hpp"

#include <charconv>

namespace herald::redis {
namespace {

bool parse_number(std::string_view text, unsigned& out, unsigned min, unsigned max) {
  unsigned value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || ptr != text.data() + text.size() || value < min ||
      value > max)
    return false;
  out = value;
  return true;
}

}  // namespace

std::optional<Redirect> Redirect::parse(std::string_view error) {
  Redirect out;
  if (error.starts_with("MOVED ")) {
    out.kind = Kind::moved;
    error.remove_prefix(6);
  } else if (error.starts_with("ASK ")) {
    out.kind = Kind::ask;
    error.remove_prefix(4);
  } else {
    return std::nullopt;
  }
  const auto space = error.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  unsigned slot = 0;
  if (!parse_number(error.substr(0, space), slot, 0, kClusterSlots - 1)) return std::nullopt;
  const std::string_view address = error.substr(space + 1);
  const auto colon = address.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::string_view host = address.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  if (host.find_first_of(" \t\r\n[]") != std::string_view::npos) return std::nullopt;
  unsigned port = 0;
  if (!parse_number(address.substr(colon + 1), port, 1, 65535)) return std::nullopt;
  out.slot = static_cast<std::uint16_t>(slot);
  out.host = std::string(host);
  out.port = static_cast<std::uint16_t>(port);
  return out;
}

}  // namespace herald::redis
