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

/// Calls fn(item) for each item of a list field: `value` cut at any of `separators`,
/// each item trimmed of spaces and tabs, empty items skipped. The one splitter of
/// the proxy's list-valued fields (Vary, Cache-Tag, If-None-Match, Cookie, ...).
template <class Fn>
void for_each_item(std::string_view value, std::string_view separators, Fn&& fn) {
  std::size_t i = 0;
  while (i <= value.size()) {
    std::size_t end = value.find_first_of(separators, i);
    if (end == std::string_view::npos) end = value.size();
    std::string_view item = value.substr(i, end - i);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (!item.empty()) fn(item);
    i = end + 1;
  }
}

/// The items of for_each_item, as strings.
std::vector<std::string> split_items(std::string_view value, std::string_view separators);

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
