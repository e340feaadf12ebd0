// Channel-name validation and the shell-style glob used by channel rules and by the
// JWT `channels` grant (declared in channel_rules.hpp).
//
// glob_match is iterative: on a mismatch it only ever returns to the most recent `*`,
// which is enough because `*` is the only element that matches a variable length.
// Worst case O(|pattern| x |text|); never exponential, never recursive, so a hostile
// pattern in a token cannot blow the stack or burn CPU.
#include <herald/gateway/channel_rules.hpp>

namespace herald::gateway {
namespace {

constexpr bool channel_char(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == ':' || c == '.' || c == '@' || c == '/' || c == '-';
}

struct SetResult {
  bool well_formed = false;  ///< false: no closing ']', so '[' is a literal character
  bool matched = false;
  std::size_t next = 0;  ///< index in the pattern just after the closing ']'
};

// Matches `c` against the set starting at pattern[open] == '['. Syntax as in POSIX
// shells: `[abc]`, ranges `[a-z]`, negation `[!a]` or `[^a]`, and a `]` right after
// the opening (or after the negation) is a member. Cost: O(set length).
SetResult match_set(std::string_view pattern, std::size_t open, char c) noexcept {
  std::size_t i = open + 1;
  bool negate = false;
  if (i < pattern.size() && (pattern[i] == '!' || pattern[i] == '^')) {
    negate = true;
    ++i;
  }
  bool matched = false;
  bool first = true;
  while (i < pattern.size()) {
    char lo = pattern[i];
    if (lo == ']' && !first) return {true, matched != negate, i + 1};
    first = false;
    if (i + 2 < pattern.size() && pattern[i + 1] == '-' && pattern[i + 2] != ']') {
      char hi = pattern[i + 2];
      auto uc = static_cast<unsigned char>(c);
      if (static_cast<unsigned char>(lo) <= uc && uc <= static_cast<unsigned char>(hi)) {
        matched = true;
      }
      i += 3;
    } else {
      if (lo == c) matched = true;
      ++i;
    }
  }
  return {};  // unterminated
}

}  // namespace

bool valid_channel_name(std::string_view name) noexcept {
  if (name.empty() || name.size() > 255) return false;
  for (char c : name) {
    if (!channel_char(c)) return false;
  }
  return true;
}

bool glob_match(std::string_view pattern, std::string_view text) noexcept {
  constexpr auto npos = std::string_view::npos;
  std::size_t p = 0;
  std::size_t t = 0;
  std::size_t star_p = npos;  // index of the last `*` seen in the pattern
  std::size_t star_t = 0;     // text index that `*` is currently extended to
  while (t < text.size()) {
    if (p < pattern.size()) {
      char pc = pattern[p];
      if (pc == '*') {
        star_p = p++;
        star_t = t;
        continue;
      }
      if (pc == '?') {
        ++p;
        ++t;
        continue;
      }
      if (pc == '[') {
        SetResult set = match_set(pattern, p, text[t]);
        if (set.well_formed) {
          if (set.matched) {
            p = set.next;
            ++t;
            continue;
          }
        } else if (text[t] == '[') {
          ++p;
          ++t;
          continue;
        }
      } else if (pc == text[t]) {
        ++p;
        ++t;
        continue;
      }
    }
    // Mismatch: let the last `*` swallow one more character, or fail.
    if (star_p == npos) return false;
    p = star_p + 1;
    t = ++star_t;
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

}  // namespace herald::gateway
