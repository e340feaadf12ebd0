// CacheLayout: see cache_layout.hpp.
#include "cache/cache_layout.hpp"

namespace herald::cache {

CacheLayout::CacheLayout(std::string_view prefix)
    : hash_tag_("{" + std::string(prefix) + "}"),
      entry_prefix_(hash_tag_ + ":e:"),
      generation_(hash_tag_ + ":gen"),
      namespace_prefix_(hash_tag_ + ":ns:"),
      tag_version_prefix_(hash_tag_ + ":tv:"),
      stats_prefix_(hash_tag_ + ":stats:") {}

std::string CacheLayout::glob_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace herald::cache
