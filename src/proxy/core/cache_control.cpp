// CacheControl::parse: a forgiving tokenizer over `#( token [ "=" value ] )` that
// never fails: bad bytes end the current directive at the next comma.
#include "proxy/core/cache_control.hpp"
#include "proxy/core/header_list.hpp"

#include <algorithm>

namespace herald::proxy {
namespace {

constexpr std::int64_t kMaxDelta = std::int64_t{1} << 31;  // RFC 9111 section 1.2.2

bool is_space(char c) {
  return c == ' ' || c == '\t';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

/// delta-seconds: 1*DIGIT, clamped to 2^31; anything else counts as 0.
std::int64_t delta_seconds(std::string_view v) {
  if (v.empty()) return 0;
  std::int64_t n = 0;
  for (char c : v) {
    if (c < '0' || c > '9') return 0;
    n = std::min(kMaxDelta, n * 10 + (c - '0'));
  }
  return n;
}

void keep_min(std::optional<std::int64_t>& slot, std::int64_t v) {
  slot = slot ? std::min(*slot, v) : v;
}

/// Splits the value into directives and hands each (name, value, target) to `fn`.
/// Commas inside quoted strings do not split; a quoted value is unquoted (escapes
/// kept as written: no directive we read has a meaningful escaped value).
template <class Fn>
void each_directive(std::string_view text, bool targets, Fn&& fn) {
  std::size_t i = 0;
  while (i < text.size()) {
    // One element: up to the next comma outside quotes.
    std::size_t end = i;
    bool quoted = false;
    while (end < text.size()) {
      const char c = text[end];
      if (quoted) {
        if (c == '\\' && end + 1 < text.size()) {
          end += 2;
          continue;
        }
        if (c == '"') quoted = false;
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        break;
      }
      ++end;
    }
    std::string_view element = trim(text.substr(i, end - i));
    i = end + 1;
    if (element.empty()) continue;
    std::string_view target;
    if (targets) {
      // Surrogate-Control: `directive;target`. The target follows the value.
      if (auto semi = element.rfind(';');
          semi != std::string_view::npos && element.find('"', semi) == std::string_view::npos) {
        target = trim(element.substr(semi + 1));
        element = trim(element.substr(0, semi));
      }
    }
    std::string_view name = element;
    std::string_view value;
    if (auto eq = element.find('='); eq != std::string_view::npos) {
      name = trim(element.substr(0, eq));
      value = trim(element.substr(eq + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
        value = value.substr(1, value.size() - 2);
    }
    if (!name.empty()) fn(name, value, target);
  }
}

CacheControl parse_impl(std::string_view text, bool surrogate) {
  CacheControl cc;
  each_directive(text, surrogate,
                 [&](std::string_view name, std::string_view value, std::string_view target) {
                   if (!target.empty() && !iequals(target, "herald")) return;
                   cc.any = true;
                   if (iequals(name, "max-age")) {
                     keep_min(cc.max_age, delta_seconds(value));
                   } else if (iequals(name, "s-maxage")) {
                     keep_min(cc.s_maxage, delta_seconds(value));
                   } else if (iequals(name, "stale-while-revalidate")) {
                     keep_min(cc.stale_while_revalidate, delta_seconds(value));
                   } else if (iequals(name, "stale-if-error")) {
                     keep_min(cc.stale_if_error, delta_seconds(value));
                   } else if (iequals(name, "no-store")) {
                     cc.no_store = true;
                   } else if (iequals(name, "no-cache")) {
                     cc.no_cache = true;
                   } else if (iequals(name, "private")) {
                     cc.private_ = true;
                   } else if (iequals(name, "public")) {
                     cc.public_ = true;
                   } else if (iequals(name, "must-revalidate")) {
                     cc.must_revalidate = true;
                   } else if (iequals(name, "proxy-revalidate")) {
                     cc.proxy_revalidate = true;
                   }
                 });
  return cc;
}

}  // namespace

CacheControl CacheControl::parse(std::string_view value) {
  return parse_impl(value, false);
}

CacheControl CacheControl::parse_surrogate(std::string_view value) {
  return parse_impl(value, true);
}

}  // namespace herald::proxy
