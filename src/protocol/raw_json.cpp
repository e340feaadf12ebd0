// Raw-member slicing over already-validated JSON text (see raw_json.hpp). Because the
// input is known to be valid, the scanner only tracks strings and nesting depth.
#include <herald/protocol/raw_json.hpp>

#include <cstddef>

namespace herald::protocol {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

std::size_t skip_space(std::string_view s, std::size_t i) {
  while (i < s.size() && is_space(s[i])) ++i;
  return i;
}

// i points at an opening quote; returns the index just past the closing quote.
std::size_t skip_string(std::string_view s, std::size_t i) {
  for (++i; i < s.size(); ++i) {
    if (s[i] == '\\') {
      ++i;
    } else if (s[i] == '"') {
      return i + 1;
    }
  }
  return s.size();
}

// i points at the first character of a value; returns the index just past it.
std::size_t skip_value(std::string_view s, std::size_t i) {
  int depth = 0;
  while (i < s.size()) {
    char c = s[i];
    if (c == '"') {
      i = skip_string(s, i);
      if (depth == 0) return i;
      continue;
    }
    if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (depth == 0) return i;  // end of the enclosing object
      if (--depth == 0) return i + 1;
    } else if (depth == 0 && (c == ',' || is_space(c))) {
      return i;  // end of a scalar
    }
    ++i;
  }
  return i;
}

}  // namespace

std::optional<std::string_view> find_raw_member(std::string_view s, std::string_view key) {
  std::optional<std::string_view> found;
  std::size_t i = skip_space(s, 0);
  if (i >= s.size() || s[i] != '{') return std::nullopt;
  ++i;
  while (true) {
    i = skip_space(s, i);
    if (i >= s.size() || s[i] != '"') return found;  // '}' or end
    std::size_t key_end = skip_string(s, i);
    std::string_view name = s.substr(i + 1, key_end - i - 2);
    i = skip_space(s, key_end);
    if (i >= s.size() || s[i] != ':') return found;
    i = skip_space(s, i + 1);
    std::size_t value_end = skip_value(s, i);
    if (name == key) found = s.substr(i, value_end - i);
    i = skip_space(s, value_end);
    if (i >= s.size() || s[i] != ',') return found;
    ++i;
  }
}

}  // namespace herald::protocol
