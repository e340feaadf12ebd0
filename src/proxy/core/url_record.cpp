// UrlRecord encode/parse (format in url_record.hpp).
#include "proxy/core/url_record.hpp"

#include "proxy/core/field_lists.hpp"

namespace herald::proxy {
namespace {}  // namespace

std::string UrlRecord::encode() const {
  std::string out = pass ? "HU1 1\n" : "HU1 0\n";
  bool first = true;
  for (const auto& v : vary) {
    if (v.empty() || v.find_first_of(",\n\r") != std::string::npos) continue;
    if (!first) out += ',';
    out += v;
    first = false;
  }
  out += '\n';
  first = true;
  for (const auto& t : tags) {
    if (!valid_tag(t)) continue;
    if (!first) out += ' ';
    out += t;
    first = false;
  }
  return out;
}

std::optional<UrlRecord> UrlRecord::parse(std::string_view s) {
  if (s.size() < 6 || !s.starts_with("HU1 ") || (s[4] != '0' && s[4] != '1') || s[5] != '\n')
    return std::nullopt;
  UrlRecord r;
  r.pass = s[4] == '1';
  s.remove_prefix(6);
  const auto nl = s.find('\n');
  if (nl == std::string_view::npos) return std::nullopt;
  const std::string_view vary = s.substr(0, nl);
  const std::string_view tags = s.substr(nl + 1);
  if (vary.find('\r') != std::string_view::npos || tags.find_first_of("\r\n") != std::string::npos)
    return std::nullopt;
  r.vary = split_items(vary, ",");
  for (auto& t : split_items(tags, " "))
    if (valid_tag(t)) r.tags.push_back(std::move(t));
  return r;
}

}  // namespace herald::proxy
