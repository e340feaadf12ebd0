// A pre-scan of TOML text that keeps toml++ 3.3.0 (Debian 12's) away from inputs on
// which it has undefined behaviour.
//
// toml++ 3.3.0 classifies non-ASCII characters with is_non_ascii_horizontal_whitespace(),
// which reaches __builtin_unreachable() for many code points (e.g. U+01F9, U+032A):
// upstream issues marzer/tomlplusplus#190 and #295, fixed by #305 after 3.3.0. It is
// called on characters outside strings and comments (where TOML allows only ASCII, so
// such input is invalid anyway; note that toml++ scans a bare value such as `x="é"`
// up to whitespace, quotes included) and after a backslash in a multi-line basic
// string. Found by fuzz/config_fuzz.cpp.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace herald::app::detail {

struct TomlHazard {
  std::size_t line = 0;  ///< 1-based
  std::string what;
};

/// The first place where `text` has a non-ASCII byte that toml++ 3.3.0 might classify
/// unsafely, or nullopt. A leading UTF-8 byte-order mark is allowed. Only rejects text
/// that is invalid TOML, except a non-ASCII character right after a line-ending
/// backslash in a `"""` string (valid TOML, rejected here). Cost: one pass, O(n),
/// recursion depth at most 32 (nested arrays and inline tables).
std::optional<TomlHazard> find_toml_hazard(std::string_view text);

}  // namespace herald::app::detail
