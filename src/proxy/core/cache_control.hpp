// CacheControl: the directives of one Cache-Control (RFC 9111 section 5.2) or
// Surrogate-Control (W3C Edge Architecture) field value, as a shared cache reads them.
//
// Grammar: `#( token [ "=" ( token / quoted-string ) ] )`, names case-insensitive.
// Robustness rules (RFC 9111 section 4.2.1 and 1.2.2): a delta-seconds that is not
// digits makes the directive count as 0 (stale, the safe reading); values above 2^31
// are clamped to 2^31; a repeated directive keeps its smallest value; unknown
// directives are ignored. Surrogate-Control directives aimed at another surrogate
// (`max-age=60;other`) are ignored; `;herald` or no target applies to us.
//
// Thread: value type. Cost: O(length of the field value), no allocation.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace herald::proxy {

struct CacheControl {
  std::optional<std::int64_t> max_age;  ///< seconds
  std::optional<std::int64_t> s_maxage;
  std::optional<std::int64_t> stale_while_revalidate;
  std::optional<std::int64_t> stale_if_error;
  bool no_store = false;
  bool no_cache = false;  ///< unqualified or qualified (`no-cache="f"`): both mean revalidate
  bool private_ = false;  ///< unqualified or qualified: a shared cache stores neither
  bool public_ = false;
  bool must_revalidate = false;
  bool proxy_revalidate = false;
  bool any = false;  ///< at least one directive was seen

  /// Parses a Cache-Control value (several field lines joined with ',').
  static CacheControl parse(std::string_view value);
  /// Parses a Surrogate-Control value: same grammar, `;target` suffixes honoured.
  static CacheControl parse_surrogate(std::string_view value);
};

}  // namespace herald::proxy
