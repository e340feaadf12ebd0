// CacheEntry envelope encoding and strict parsing (see cache_entry.hpp).
#include "cache/cache_entry.hpp"

#include <charconv>
#include <cstdint>
#include <limits>
#include <random>

namespace herald::cache {
namespace {

/// Exactly std::from_chars's base-10 int64 language: optional '-', at least one
/// digit, in range, nothing after. Checked per digit: take_i64's path for fields too
/// long to be sure they fit.
bool parse_i64(std::string_view s, std::int64_t& out) {
  const bool negative = !s.empty() && s.front() == '-';
  if (negative) s.remove_prefix(1);
  if (s.empty()) return false;
  std::uint64_t v = 0;
  for (char c : s) {
    const auto d = static_cast<unsigned>(c) - unsigned{'0'};
    if (d > 9 || __builtin_mul_overflow(v, 10u, &v) || __builtin_add_overflow(v, d, &v))
      return false;
  }
  constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (v > kMax + (negative ? 1 : 0)) return false;
  out = negative ? static_cast<std::int64_t>(0 - v) : static_cast<std::int64_t>(v);
  return true;
}

/// Splits off the next space-separated field of `line` (a plain loop: the fields are
/// a few bytes long, shorter than a memchr call's set-up).
std::string_view next_field(std::string_view& line) {
  std::size_t i = 0;
  while (i < line.size() && line[i] != ' ') ++i;
  const std::string_view f{line.data(), i};
  line = i < line.size() ? std::string_view{line.data() + i + 1, line.size() - i - 1}
                         : std::string_view{};
  return f;
}

/// next_field + parse_i64 in one pass over the bytes (the header's numbers are most
/// of its length), unchecked up to 18 digits, which cannot overflow. Same result as
/// parse_i64(next_field(line), out); four of these run on every L2 read.
bool take_i64(std::string_view& line, std::int64_t& out) {
  const char* p = line.data();
  const char* const end = p + line.size();
  const bool negative = p != end && *p == '-';
  if (negative) ++p;
  const char* const digits = p;
  std::uint64_t v = 0;  // may wrap past 19 digits: such fields are re-parsed below
  while (p != end && static_cast<unsigned>(*p - '0') <= 9)
    v = v * 10 + static_cast<unsigned>(*p++ - '0');
  const auto n = static_cast<std::size_t>(p - digits);
  if (n == 0 || (p != end && *p != ' ')) return false;
  if (n > 18) {
    const char* const field = negative ? digits - 1 : digits;
    if (!parse_i64({field, static_cast<std::size_t>(p - field)}, out)) return false;
  } else {
    out = negative ? -static_cast<std::int64_t>(v) : static_cast<std::int64_t>(v);
  }
  line = p == end ? std::string_view{}
                  : std::string_view{p + 1, static_cast<std::size_t>(end - p - 1)};
  return true;
}

/// A stamp or version: 1 to 64 bytes, no ' ' and no '\n'. Every token parse() checks
/// is a next_field() of a line that has no '\n', so it can hold neither: only its
/// length is left to check.
bool plain_token(std::string_view s) {
  return !s.empty() && s.size() <= 64;
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

std::optional<CacheEntryView> CacheEntryView::parse(std::string_view bytes) noexcept {
  const std::string_view all = bytes;
  auto nl = bytes.find('\n');
  if (nl == std::string_view::npos) return std::nullopt;
  std::string_view header = bytes.substr(0, nl);
  bytes.remove_prefix(nl + 1);
  if (next_field(header) != "HC1") return std::nullopt;
  CacheEntryView e;
  std::int64_t flags = 0;
  std::int64_t ntags = 0;
  e.stamp = next_field(header);
  if (!plain_token(e.stamp) || !take_i64(header, e.created_ms) || !take_i64(header, e.expires_ms) ||
      !take_i64(header, flags) || !plain_token(e.ns_version = next_field(header)) ||
      !take_i64(header, ntags) || !header.empty() || flags < 0 || flags > 7 || ntags < 0 ||
      ntags > 1024)
    return std::nullopt;
  e.flags = static_cast<unsigned>(flags);
  e.ntags = static_cast<std::size_t>(ntags);
  const std::string_view tags_start = bytes;
  for (std::int64_t i = 0; i < ntags; ++i) {
    nl = bytes.find('\n');
    if (nl == std::string_view::npos) return std::nullopt;
    std::string_view line = bytes.substr(0, nl);
    bytes.remove_prefix(nl + 1);
    std::string_view version = next_field(line);
    if (!plain_token(version) || !valid_tag(line)) return std::nullopt;
  }
  e.tag_lines = tags_start.substr(0, tags_start.size() - bytes.size());
  e.payload_offset = all.size() - bytes.size();
  e.payload = bytes;
  return e;
}

CacheEntry CacheEntryView::to_entry() const {
  CacheEntry e;
  e.stamp = stamp;
  e.created_ms = created_ms;
  e.expires_ms = expires_ms;
  e.flags = flags;
  e.ns_version = ns_version;
  e.tags.reserve(ntags);
  each_tag([&](std::string_view tag, std::string_view version) {
    e.tags.emplace_back(std::string(tag), std::string(version));
    return true;
  });
  e.payload = payload;
  return e;
}

std::optional<CacheEntry> CacheEntry::parse(std::string_view bytes) {
  auto view = CacheEntryView::parse(bytes);
  if (!view) return std::nullopt;
  return view->to_entry();
}

}  // namespace herald::cache
