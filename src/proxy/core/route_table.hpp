// RouteTable: the `[[route]]` rules, matched against a request's method and path.
// Patterns are '/'-separated segments: a literal, `{name}` (any one non-empty
// segment, captured for tag templates), `*` (any one segment) or, last only, `**`
// (whatever remains, possibly nothing). The path is matched as sent (no decoding),
// without its query. Tag templates replace `{name}` by the capture; tags that come
// out invalid (see valid_tag) are dropped.
//
// Thread: immutable after construction; match() from any thread.
// Cost: match() is O(rules x segments), no allocation unless a rule matches.
#pragma once

#include <herald/proxy/route_rule.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace herald::proxy {

struct RouteMatch {
  const RouteRule* rule = nullptr;
  std::vector<std::pair<std::string, std::string>> captures;
};

class RouteTable {
 public:
  RouteTable() = default;
  explicit RouteTable(std::vector<RouteRule> rules) : rules_(std::move(rules)) {}

  /// Why the rules are unusable ("route #2: ..."), or nullopt.
  static std::optional<std::string> validate(const std::vector<RouteRule>& rules);

  /// The first rule matching method and path (query excluded by the caller).
  std::optional<RouteMatch> match(std::string_view method, std::string_view path) const;

  /// The templates with their captures filled in; invalid results dropped.
  static std::vector<std::string> expand(const std::vector<std::string>& templates,
                                         const RouteMatch& m);

  bool empty() const noexcept { return rules_.empty(); }
  std::size_t size() const noexcept { return rules_.size(); }
  const RouteRule& rule(std::size_t i) const { return rules_.at(i); }
  /// The position of a rule match() returned.
  int index_of(const RouteRule* rule) const noexcept {
    return rule == nullptr ? -1 : static_cast<int>(rule - rules_.data());
  }

 private:
  std::vector<RouteRule> rules_;
};

}  // namespace herald::proxy
