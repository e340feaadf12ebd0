// CacheEntry envelope encoding and strict parsing (see cache_entry.hpp).
#include "cache/cache_entry.hpp"

#include <charconv>
#include <random>

namespace herald::cache {
namespace {

bool parse_i64(std::string_view s, std::int64_t& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && p == s.data() + s.size() && !s.empty();
}

/// Splits off the next space-separated field of `line`.
std::string_view next_field(std::string_view& line) {
  auto sp = line.find(' ');
  std::string_view f = line.substr(0, sp);
  line = sp == std::string_view::npos ? std::string_view{} : line.substr(sp + 1);
  return f;
}

bool plain_token(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s)
    if (c == ' ' || c == '\n') return false;
  return true;
}

}  // namespace

bool valid_tag(std::string_view tag) noexcept {
  return !tag.empty() && tag.size() <= 1024 && tag.find('\n') == std::string_view::npos;
}

std::string new_stamp() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  char buf[17];
  auto [end, ec] = std::to_chars(buf, buf + 16, rng(), 16);
  (void)ec;
  return std::string(buf, end);
}

std::string CacheEntry::encode() const {
  std::string out;
  out.reserve(64 + payload.size() + tags.size() * 24);
  out += "HC1 ";
  out += stamp;
  out += ' ';
  out += std::to_string(created_ms);
  out += ' ';
  out += std::to_string(expires_ms);
  out += ' ';
  out += std::to_string(flags);
  out += ' ';
  out += ns_version;
  out += ' ';
  out += std::to_string(tags.size());
  out += '\n';
  for (const auto& [tag, version] : tags) {
    out += version;
    out += ' ';
    out += tag;
    out += '\n';
  }
  out += payload;
  return out;
}

std::optional<CacheEntry> CacheEntry::parse(std::string_view bytes) {
  auto nl = bytes.find('\n');
  if (nl == std::string_view::npos) return std::nullopt;
  std::string_view header = bytes.substr(0, nl);
  bytes.remove_prefix(nl + 1);
  if (next_field(header) != "HC1") return std::nullopt;
  CacheEntry e;
  std::int64_t flags = 0;
  std::int64_t ntags = 0;
  std::string_view stamp = next_field(header);
  std::string_view ns_version;
  if (!plain_token(stamp) || !parse_i64(next_field(header), e.created_ms) ||
      !parse_i64(next_field(header), e.expires_ms) || !parse_i64(next_field(header), flags) ||
      !plain_token(ns_version = next_field(header)) || !parse_i64(next_field(header), ntags) ||
      !header.empty() || flags < 0 || flags > 7 || ntags < 0 || ntags > 1024)
    return std::nullopt;
  e.stamp = stamp;
  e.flags = static_cast<unsigned>(flags);
  e.ns_version = ns_version;
  e.tags.reserve(static_cast<std::size_t>(ntags));
  for (std::int64_t i = 0; i < ntags; ++i) {
    nl = bytes.find('\n');
    if (nl == std::string_view::npos) return std::nullopt;
    std::string_view line = bytes.substr(0, nl);
    bytes.remove_prefix(nl + 1);
    std::string_view version = next_field(line);
    if (!plain_token(version) || !valid_tag(line)) return std::nullopt;
    e.tags.emplace_back(std::string(line), std::string(version));
  }
  e.payload = bytes;
  return e;
}

}  // namespace herald::cache
