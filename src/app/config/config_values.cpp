// Strict text parsers for configuration values (contract in config_values.hpp).
#include "config_values.hpp"

#include <charconv>
#include <cmath>
#include <limits>

namespace herald::app::detail {
namespace {

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Hosts are names or addresses; refuse what can only be a typo or an injection.
bool plausible_host(std::string_view host) {
  for (char c : host) {
    auto u = static_cast<unsigned char>(c);
    if (u <= ' ' || u >= 0x7f || c == '/' || c == '@' || c == '[' || c == ']' || c == '?' ||
        c == '#') {
      return false;
    }
  }
  return true;
}

}  // namespace

std::string printable(std::string_view text) {
  constexpr std::size_t limit = 80;
  std::string out = "\"";
  for (std::size_t i = 0; i < text.size() && i < limit; ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      static constexpr char hex[] = "0123456789abcdef";
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  if (text.size() > limit) out += "...";
  return out + "\"";
}

Problem parse_listen(std::string_view text, std::string& host, std::uint16_t& port) {
  const std::string expected = "expected HOST:PORT (e.g. 127.0.0.1:8080 or [::1]:8080), got ";
  std::string_view h;
  std::string_view p;
  if (text.starts_with('[')) {  // [IPv6]:port
    auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return expected + printable(text);
    }
    h = text.substr(1, close - 1);
    p = text.substr(close + 2);
    if (h.empty() || h.find_first_not_of("0123456789abcdefABCDEF:.%") != std::string_view::npos) {
      return "bad IPv6 address in " + printable(text);
    }
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return expected + printable(text);
    h = text.substr(0, colon);
    p = text.substr(colon + 1);
    if (h.find(':') != std::string_view::npos) {
      return "IPv6 addresses go in brackets ([::1]:8080), got " + printable(text);
    }
    if (!plausible_host(h)) return "bad host in " + printable(text);
  }
  std::uint64_t n = 0;
  if (!all_digits(p)) return "port must be a number, got " + printable(text);
  if (parse_unsigned(p, 0, 65535, n)) return "port out of range 0-65535 in " + printable(text);
  host = h.empty() ? "0.0.0.0" : std::string(h);
  port = static_cast<std::uint16_t>(n);
  return std::nullopt;
}

Problem parse_unsigned(std::string_view text, std::uint64_t min, std::uint64_t max,
                       std::uint64_t& out) {
  std::uint64_t n = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, n);
  if (!all_digits(text) || ec == std::errc::result_out_of_range || n < min || n > max) {
    std::string range = max >= std::numeric_limits<std::uint32_t>::max()
                            ? " >= " + std::to_string(min)
                            : " from " + std::to_string(min) + " to " + std::to_string(max);
    return "expected an integer" + range + ", got " + printable(text);
  }
  if (ec != std::errc{} || ptr != end) return "expected an integer, got " + printable(text);
  out = n;
  return std::nullopt;
}

Problem parse_positive_number(std::string_view text, double& out) {
  double d = 0;
  const char* end = text.data() + text.size();
  // Digits, one optional '.', digits: no sign, exponent, hex, inf or nan spellings.
  bool shape = !text.empty() && text.find_first_not_of("0123456789.") == std::string_view::npos;
  auto [ptr, ec] = std::from_chars(text.data(), end, d, std::chars_format::fixed);
  if (!shape || ec != std::errc{} || ptr != end || !std::isfinite(d) || d <= 0) {
    return "expected a number greater than 0, got " + printable(text);
  }
  out = d;
  return std::nullopt;
}

Problem parse_choice(std::string_view text, std::initializer_list<std::string_view> choices,
                     std::string& out) {
  std::string list;
  for (auto c : choices) {
    if (c == text) {
      out = std::string(c);
      return std::nullopt;
    }
    list += list.empty() ? "" : ", ";
    list += c;
  }
  return "expected one of " + list + ", got " + printable(text);
}

Problem parse_origins(std::string_view text, std::vector<std::string>& out) {
  std::vector<std::string> origins;
  while (true) {
    auto comma = text.find(',');
    std::string_view item = trim(text.substr(0, comma));
    if (!item.empty()) {
      auto scheme_end = item.find("://");
      bool ok = item == "*" || (scheme_end != std::string_view::npos && scheme_end > 0 &&
                                scheme_end + 3 < item.size() &&
                                item.find('/', scheme_end + 3) == std::string_view::npos &&
                                item.find_first_of(" \t") == std::string_view::npos);
      if (!ok) {
        return "expected * or origins like https://example.com (scheme://host[:port], no "
               "path), got " +
               printable(item);
      }
      origins.emplace_back(item);
    }
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  out = std::move(origins);
  return std::nullopt;
}

Problem parse_redis_url(std::string_view text, std::string& out) {
  bool ok = text.empty() || (text.starts_with("redis://") && text.size() > 8) ||
            (text.starts_with("rediss://") && text.size() > 9) ||
            (text.starts_with("unix://") && text.size() > 7) ||
            (text.starts_with("redis+sentinel://") && text.size() > 17) ||
            (text.starts_with("rediss+sentinel://") && text.size() > 18) ||
            (text.starts_with("redis+cluster://") && text.size() > 16) ||
            (text.starts_with("rediss+cluster://") && text.size() > 17);
  // The value is not echoed: a mistyped URL may still carry a password.
  if (!ok)
    return "expected redis://[user:pass@]host:port/db, rediss://... (TLS), "
           "redis+sentinel://host:26379,.../MASTER, redis+cluster://host:port,... or "
           "unix:///path";
  out = std::string(text);
  return std::nullopt;
}

}  // namespace herald::app::detail

namespace herald::app::detail {

Problem parse_upstream_url(std::string_view text, std::string& host, std::uint16_t& port) {
  const std::string expected = "expected http://HOST[:PORT] (e.g. http://127.0.0.1:3000), got ";
  constexpr std::string_view scheme = "http://";
  if (!text.starts_with(scheme)) return expected + printable(text);
  std::string_view rest = text.substr(scheme.size());
  if (rest.ends_with('/')) rest.remove_suffix(1);
  if (rest.empty() || rest.find_first_of("/?#@") != std::string_view::npos)
    return expected + printable(text);
  std::string_view h = rest;
  std::string_view p;
  if (rest.starts_with('[')) {
    const auto close = rest.find(']');
    if (close == std::string_view::npos) return expected + printable(text);
    h = rest.substr(1, close - 1);
    if (close + 1 < rest.size()) {
      if (rest[close + 1] != ':') return expected + printable(text);
      p = rest.substr(close + 2);
    }
  } else if (auto colon = rest.rfind(':'); colon != std::string_view::npos) {
    h = rest.substr(0, colon);
    p = rest.substr(colon + 1);
  }
  if (h.empty() || !plausible_host(h)) return "bad upstream host in " + printable(text);
  std::uint64_t n = 80;
  if (!p.empty() || rest.find(':') != std::string_view::npos) {
    if (auto problem = parse_unsigned(p, 1, 65535, n)) return "bad upstream port: " + *problem;
  }
  host = std::string(h);
  port = static_cast<std::uint16_t>(n);
  return std::nullopt;
}

}  // namespace herald::app::detail
