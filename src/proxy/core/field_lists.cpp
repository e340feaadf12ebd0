// Vary, Surrogate-Key and Cache-Tag parsers (contract in field_lists.hpp).
#include "proxy/core/field_lists.hpp"

#include "proxy/core/header_list.hpp"

#include <algorithm>
#include <cstring>

namespace herald::proxy {
namespace {

bool tchar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return c != 0 && std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}

bool token(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), tchar);
}

void add_tag(std::vector<std::string>& tags, std::string_view t) {
  if (!valid_tag(t)) return;
  if (std::find(tags.begin(), tags.end(), t) == tags.end()) tags.emplace_back(t);
}

}  // namespace

std::vector<std::string> split_items(std::string_view value, std::string_view separators) {
  std::vector<std::string> out;
  for_each_item(value, separators, [&](std::string_view item) { out.emplace_back(item); });
  return out;
}

VaryList parse_vary(std::string_view value) {
  VaryList out;
  for_each_item(value, ",", [&](std::string_view item) {
    if (item == "*") {
      out.star = true;
    } else if (token(item)) {
      out.names.push_back(lower(item));
    }
  });
  std::sort(out.names.begin(), out.names.end());
  out.names.erase(std::unique(out.names.begin(), out.names.end()), out.names.end());
  return out;
}

bool valid_tag(std::string_view tag) noexcept {
  if (tag.empty() || tag.size() > 256) return false;
  for (char c : tag) {
    if (c < 0x21 || c > 0x7e || c == ',' || c == '"') return false;
  }
  return true;
}

std::vector<std::string> parse_surrogate_keys(std::string_view value) {
  std::vector<std::string> tags;
  for_each_item(value, " \t", [&](std::string_view item) { add_tag(tags, item); });
  return tags;
}

std::vector<std::string> parse_cache_tags(std::string_view value) {
  std::vector<std::string> tags;
  for_each_item(value, ",", [&](std::string_view item) { add_tag(tags, item); });
  return tags;
}

void merge_tags(std::vector<std::string>& tags, const std::vector<std::string>& more) {
  for (const auto& t : more) add_tag(tags, t);
}

}  // namespace herald::proxy
