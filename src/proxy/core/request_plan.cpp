// plan_request: route, bypass reason, canonical URL and response rules of a request.
#include "proxy/core/request_plan.hpp"

#include "proxy/core/field_lists.hpp"
#include "proxy/core/proxy_key.hpp"

#include <algorithm>

namespace herald::proxy {

RequestPlan plan_request(std::string_view method, std::string_view target,
                         const HeaderList& headers, const RouteTable& routes) {
  RequestPlan plan;
  plan.purge = method == "PURGE";
  const std::string_view path = target.substr(0, target.find('?'));
  plan.route = routes.match(method, path);
  RequestRules request_rules;
  if (plan.route) {
    request_rules.cache_authorized = plan.route->rule->key_authorization;
    request_rules.cache_cookies = !plan.route->rule->key_cookies.empty();
  }
  if (!plan.purge) plan.bypass = request_bypass(method, headers, request_rules);
  if (!plan.bypass && !plan.purge && plan.route && !plan.route->rule->cache) plan.bypass = "route";
  if (plan.route) {
    const RouteRule& rule = *plan.route->rule;
    if (rule.ttl) plan.rules.default_ttl_s = rule.ttl->count();
    if (rule.negative_ttl) plan.rules.negative_ttl_s = rule.negative_ttl->count();
    if (rule.grace) plan.rules.grace_s = rule.grace->count();
    plan.rules.strip_set_cookie = rule.strip_set_cookie;
    plan.rules.route = routes.index_of(plan.route->rule);
    plan.rules.extra_tags = RouteTable::expand(rule.tags, *plan.route);
  }
  if (plan.bypass) return plan;
  const auto host = headers.first("host");
  if (!host || headers.count("host") != 1 || !valid_host(*host)) {
    if (!plan.purge) plan.bypass = "host";
    return plan;
  }
  static const std::vector<std::string> kNoIgnored;
  plan.canonical =
      canonical_url(*host, target, plan.route ? plan.route->rule->ignore_query : kNoIgnored);
  if (!plan.canonical) {
    if (!plan.purge) plan.bypass = "target";
    return plan;
  }
  // For PURGE: of the URL (every variant), and of each directory above it (prefixes).
  plan.rules.extra_tags.push_back(url_tag(*plan.canonical));
  for (auto& tag : directory_tags(*plan.canonical)) plan.rules.extra_tags.push_back(std::move(tag));
  // What the route lets into the key: after the URL's tags (a PURGE of the URL drops
  // every credential's and cookie's entries), before the keys are made.
  if (plan.route && !plan.purge) {
    const RouteRule& rule = *plan.route->rule;
    if (rule.key_authorization)
      if (auto auth = headers.get("authorization")) *plan.canonical += "\n" + *auth;
    if (!rule.key_cookies.empty())
      if (auto cookies = headers.get("cookie"))
        *plan.canonical += "\n" + kept_cookies(*cookies, rule.key_cookies);
  }
  return plan;
}

std::string kept_cookies(std::string_view cookie_header, const std::vector<std::string>& names) {
  std::string out;
  for_each_item(cookie_header, ";", [&](std::string_view pair) {
    const std::string_view name = pair.substr(0, pair.find('='));
    if (std::find(names.begin(), names.end(), name) == names.end()) return;
    if (!out.empty()) out += "; ";
    out += pair;
  });
  return out;
}

}  // namespace herald::proxy
