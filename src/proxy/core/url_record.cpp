// UrlRecord encode/parse (format in url_record.hpp).
#include "proxy/core/url_record.hpp"

#include "proxy/core/field_lists.hpp"

namespace herald::proxy {
namespace {

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t end = s.find(sep, i);
    if (end == std::string_view::npos) end = s.size();
    if (end > i) out.emplace_back(s.substr(i, end - i));
    i = end + 1;
  }
  return out;
}

}  // namespace

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
  r.vary = split(vary, ',');
  for (auto& t : split(tags, ' '))
    if (valid_tag(t)) r.tags.push_back(std::move(t));
  return r;
}

}  // namespace herald::proxy
