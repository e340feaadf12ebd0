// plan_request: route, bypass reason, canonical URL and response rules of a request.
#include "proxy/core/request_plan.hpp"

#include "proxy/core/proxy_key.hpp"

namespace herald::proxy {

RequestPlan plan_request(std::string_view method, std::string_view target,
                         const HeaderList& headers, const RouteTable& routes) {
  RequestPlan plan;
  plan.purge = method == "PURGE";
  const std::string_view path = target.substr(0, target.find('?'));
  plan.route = routes.match(method, path);
  if (!plan.purge) plan.bypass = request_bypass(method, headers);
  if (!plan.bypass && !plan.purge && plan.route && !plan.route->rule->cache) plan.bypass = "route";
  if (plan.route) {
    const RouteRule& rule = *plan.route->rule;
    if (rule.ttl) plan.rules.default_ttl_s = rule.ttl->count();
    if (rule.negative_ttl) plan.rules.negative_ttl_s = rule.negative_ttl->count();
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
  plan.rules.extra_tags.push_back(url_tag(*plan.canonical));  // for PURGE
  return plan;
}

bool conditional_request(const HeaderList& headers) noexcept {
  return headers.has("if-none-match") || headers.has("if-modified-since");
}

}  // namespace herald::proxy
