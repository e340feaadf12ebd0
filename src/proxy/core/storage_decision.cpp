// request_bypass and decide_storage: RFC 9111 sections 3 and 4.2 for a shared cache.
#include "proxy/core/storage_decision.hpp"

#include "proxy/core/cache_control.hpp"
#include "proxy/core/http_date.hpp"

#include <algorithm>

namespace herald::proxy {
namespace {

std::int64_t age_value(std::optional<std::string_view> v) {
  if (!v) return 0;
  std::int64_t n = 0;
  for (char c : *v) {
    if (c < '0' || c > '9') return 0;  // invalid Age: ignored (RFC 9111 section 5.1)
    n = std::min<std::int64_t>(std::int64_t{1} << 31, n * 10 + (c - '0'));
  }
  return n;
}

}  // namespace

bool storable_status(unsigned status) noexcept {
  switch (status) {
    case 200:
    case 203:
    case 204:
    case 300:
    case 301:
    case 308:
    case 404:
    case 405:
    case 410:
    case 414:
    case 501:
      return true;
    default:
      return false;
  }
}

std::optional<std::string_view> request_bypass(std::string_view method, const HeaderList& request,
                                               const RequestRules& rules) {
  if (method != "GET" && method != "HEAD") return "method";
  if (!rules.cache_authorized && request.has("authorization")) return "authorization";
  if (!rules.cache_cookies && request.has("cookie")) return "cookie";
  if (request.has("range")) return "range";
  return std::nullopt;
}

StorageDecision decide_storage(unsigned status, const HeaderList& response, std::int64_t now_s,
                               const ResponseRules& rules) {
  StorageDecision d;
  const CacheControl cc = CacheControl::parse(response.get("cache-control").value_or(""));
  const CacheControl sc =
      CacheControl::parse_surrogate(response.get("surrogate-control").value_or(""));
  if (auto v = response.get("vary")) d.vary = parse_vary(*v);
  if (auto v = response.get("surrogate-key")) d.tags = parse_surrogate_keys(*v);
  if (auto v = response.get("cache-tag")) merge_tags(d.tags, parse_cache_tags(*v));
  merge_tags(d.tags, rules.extra_tags);

  auto refuse = [&](std::string reason) {
    d.store = false;
    d.reason = std::move(reason);
    return d;
  };
  if (!storable_status(status)) return refuse("status");
  if (cc.no_store || sc.no_store) return refuse("no-store");
  if (cc.private_) return refuse("private");
  // Surrogate-Control max-age speaks to Herald alone: Cache-Control's freshness
  // directives (no-cache, max-age, must-revalidate) are then the browsers'.
  const bool surrogate = sc.max_age.has_value();
  if (cc.no_cache && !surrogate) return refuse("no-cache");
  if (!rules.strip_set_cookie && response.has("set-cookie")) return refuse("set-cookie");
  if (d.vary.star) return refuse("vary-star");

  // Freshness lifetime (RFC 9111 section 4.2.1, Surrogate-Control first).
  std::optional<std::int64_t> lifetime;
  if (sc.max_age) {
    lifetime = *sc.max_age;
  } else if (cc.s_maxage) {
    lifetime = *cc.s_maxage;
  } else if (cc.max_age) {
    lifetime = *cc.max_age;
  } else if (auto expires = response.first("expires")) {
    const auto exp = parse_http_date(*expires);
    std::optional<std::int64_t> date;
    if (auto dv = response.first("date")) date = parse_http_date(*dv);
    // An invalid Expires (e.g. "0") means already expired.
    lifetime = exp ? std::max<std::int64_t>(0, *exp - date.value_or(now_s)) : 0;
  }
  if (!lifetime && (status == 404 || status == 410) && rules.negative_ttl_s)
    lifetime = rules.negative_ttl_s;
  if (!lifetime) lifetime = rules.default_ttl_s;
  if (!lifetime) return refuse("no-lifetime");

  // Initial age: the Age header only. RFC 9111's apparent age (now - Date) is left
  // out, as Varnish does: Date has one-second resolution, so it would age every
  // answer by up to a second and make `s-maxage=1` answers stale on arrival, and it
  // turns any clock skew between the app and Herald into lost freshness.
  d.age_s = age_value(response.first("age"));

  const bool revalidate = !surrogate && (cc.must_revalidate || cc.proxy_revalidate);
  auto window = [&](const std::optional<std::int64_t>& s, const std::optional<std::int64_t>& c) {
    if (revalidate) return std::int64_t{0};
    return (s ? *s : c.value_or(0)) * 1000;
  };
  auto swr = sc.stale_while_revalidate ? sc.stale_while_revalidate : cc.stale_while_revalidate;
  auto sie = sc.stale_if_error ? sc.stale_if_error : cc.stale_if_error;
  if (!swr && !sie && rules.grace_s) swr = sie = rules.grace_s;  // the route's grace
  d.swr_ms = window(swr, std::nullopt);
  d.sie_ms = window(sie, std::nullopt);
  d.fresh_ms = (*lifetime - d.age_s) * 1000;
  if (d.fresh_ms <= 0) return refuse("stale");  // stale on arrival: nothing to reuse
  d.store = true;
  return d;
}

}  // namespace herald::proxy
