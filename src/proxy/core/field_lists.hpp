// Parsers of the list-valued fields the proxy reads: Vary (which request headers
// select a variant), Surrogate-Key (Fastly/Varnish xkey: space-separated tags) and
// Cache-Tag (Cloudflare: comma-separated tags).
//
// Thread: pure functions. Cost: O(length of the value).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace herald::proxy {

struct VaryList {
  bool star = false;               ///< `Vary: *`: the response matches no later request
  std::vector<std::string> names;  ///< lower-case, sorted, without duplicates
};

/// Comma-separated field names; names that are not tokens are dropped.
VaryList parse_vary(std::string_view value);

/// Tags as a cache stores and invalidates them: 1-256 bytes of visible ASCII
/// (0x21-0x7e) except ',' and '"'. Longer or odd ones are dropped, not truncated.
bool valid_tag(std::string_view tag) noexcept;

/// Surrogate-Key: tags separated by spaces or tabs. In order, without duplicates.
std::vector<std::string> parse_surrogate_keys(std::string_view value);
/// Cache-Tag: tags separated by commas (spaces around them trimmed).
std::vector<std::string> parse_cache_tags(std::string_view value);

/// Appends the tags of `more` that `tags` does not hold yet.
void merge_tags(std::vector<std::string>& tags, const std::vector<std::string>& more);

}  // namespace herald::proxy
