// RouteTable: validation, segment matching and tag templates.
#include "proxy/core/route_table.hpp"

#include "proxy/core/field_lists.hpp"

#include <algorithm>

namespace herald::proxy {
namespace {

/// Splits "/a/b" into {"a","b"}; "/" into {""}: the leading '/' is dropped.
std::vector<std::string_view> segments(std::string_view path) {
  std::vector<std::string_view> out;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  std::size_t i = 0;
  while (true) {
    const std::size_t end = path.find('/', i);
    out.push_back(path.substr(i, end == std::string_view::npos ? end : end - i));
    if (end == std::string_view::npos) break;
    i = end + 1;
  }
  return out;
}

bool name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

std::optional<std::string_view> capture_name(std::string_view seg) {
  if (seg.size() < 3 || seg.front() != '{' || seg.back() != '}') return std::nullopt;
  std::string_view name = seg.substr(1, seg.size() - 2);
  if (!std::all_of(name.begin(), name.end(), name_char)) return std::nullopt;
  return name;
}

/// Names a template refers to, or why it is malformed.
std::optional<std::string> template_problem(std::string_view t,
                                            const std::vector<std::string_view>& names) {
  std::size_t i = 0;
  while ((i = t.find('{', i)) != std::string_view::npos) {
    const std::size_t close = t.find('}', i);
    if (close == std::string_view::npos) return "unclosed '{' in \"" + std::string(t) + "\"";
    const std::string_view name = t.substr(i + 1, close - i - 1);
    if (std::find(names.begin(), names.end(), name) == names.end())
      return "{" + std::string(name) + "} in \"" + std::string(t) + "\" is not captured by match";
    i = close + 1;
  }
  if (t.find('}') != std::string_view::npos && t.find('{') == std::string_view::npos)
    return "stray '}' in \"" + std::string(t) + "\"";
  return std::nullopt;
}

}  // namespace

std::optional<std::string> RouteTable::validate(const std::vector<RouteRule>& rules) {
  for (std::size_t r = 0; r < rules.size(); ++r) {
    const RouteRule& rule = rules[r];
    std::string where = "route #" + std::to_string(r + 1) + ": ";
    if (rule.match.empty() || rule.match.front() != '/') return where + "match must start with '/'";
    std::vector<std::string_view> names;
    const auto segs = segments(rule.match);
    for (std::size_t i = 0; i < segs.size(); ++i) {
      const std::string_view s = segs[i];
      if (s == "**") {
        if (i + 1 != segs.size()) return where + "** must be the last segment";
        continue;
      }
      if (s == "*") continue;
      if (auto name = capture_name(s)) {
        if (std::find(names.begin(), names.end(), *name) != names.end())
          return where + "{" + std::string(*name) + "} captured twice";
        names.push_back(*name);
        continue;
      }
      if (s.find_first_of("{}*") != std::string_view::npos)
        return where + "bad segment \"" + std::string(s) + "\" (use {name}, * or **)";
    }
    for (const auto& q : rule.ignore_query) {
      const auto star = q.find('*');
      if (q.empty() || q == "*" || q.find_first_of("&=#? ") != std::string::npos ||
          (star != std::string::npos && star + 1 != q.size()))
        return where.append("bad ignore_query \"")
            .append(q)
            .append("\" (a name, or a prefix ending in *)");
    }
    for (const auto& m : rule.methods)
      if (m.empty() ||
          !std::all_of(m.begin(), m.end(), [](char c) { return c >= 'A' && c <= 'Z'; }))
        return where.append("bad method \"").append(m).append("\" (upper-case, e.g. GET)");
    for (const auto* list : {&rule.tags, &rule.invalidate})
      for (const auto& t : *list)
        if (auto p = template_problem(t, names)) return where + *p;
  }
  return std::nullopt;
}

std::optional<RouteMatch> RouteTable::match(std::string_view method, std::string_view path) const {
  if (rules_.empty()) return std::nullopt;
  const auto have = segments(path);
  for (const RouteRule& rule : rules_) {
    if (!rule.methods.empty() &&
        std::find(rule.methods.begin(), rule.methods.end(), method) == rule.methods.end())
      continue;
    const auto want = segments(rule.match);
    RouteMatch m{&rule, {}};
    bool ok = true;
    std::size_t i = 0;
    for (; i < want.size() && ok; ++i) {
      if (want[i] == "**") {
        i = want.size() + 1;  // matched the rest
        break;
      }
      if (i >= have.size()) {
        ok = false;
        break;
      }
      if (want[i] == "*") continue;
      if (auto name = capture_name(want[i])) {
        if (have[i].empty())
          ok = false;
        else
          m.captures.emplace_back(*name, have[i]);
        continue;
      }
      ok = want[i] == have[i];
    }
    if (ok && i == want.size() && have.size() != want.size()) ok = false;
    if (ok) return m;
  }
  return std::nullopt;
}

std::vector<std::string> RouteTable::expand(const std::vector<std::string>& templates,
                                            const RouteMatch& m) {
  std::vector<std::string> out;
  for (const auto& t : templates) {
    std::string s;
    std::size_t i = 0;
    while (i < t.size()) {
      if (t[i] == '{') {
        const std::size_t close = t.find('}', i);
        if (close != std::string::npos) {
          const std::string_view name = std::string_view{t}.substr(i + 1, close - i - 1);
          for (const auto& [n, v] : m.captures)
            if (n == name) s += v;
          i = close + 1;
          continue;
        }
      }
      s += t[i++];
    }
    if (valid_tag(s) && std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
  }
  return out;
}

}  // namespace herald::proxy
