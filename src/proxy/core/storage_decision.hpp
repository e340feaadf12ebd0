// The RFC 9111 rules of a shared cache, from header values only: may this request use
// the cache (request_bypass), may this response be stored and for how long
// (decide_storage). The proxy acts on the answers; tests drive them table by table.
//
// Freshness lifetime, first that applies: Surrogate-Control max-age (the app speaking
// to its surrogate wins), s-maxage, max-age, Expires - Date. No explicit lifetime:
// not stored (Herald does not guess a heuristic lifetime; the app opts in).
// stale-while-revalidate / stale-if-error come from Surrogate-Control when it has them,
// else from Cache-Control, and hold with s-maxage too (as CDNs do for frameworks that
// send `s-maxage=1, stale-while-revalidate`); an explicit must-revalidate or
// proxy-revalidate turns both off. With a Surrogate-Control max-age, Cache-Control's
// no-cache / max-age / must-revalidate are left to browsers (an app may say
// `Cache-Control: no-cache` to browsers and `Surrogate-Control: max-age=60` to
// Herald); no-store and private in either field still mean "do not store".
//
// Thread: pure functions. Cost: O(total header bytes).
#pragma once

#include "proxy/core/field_lists.hpp"
#include "proxy/core/header_list.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace herald::proxy {

/// What may change the default request rules (route rules, later configurable).
struct RequestRules {
  bool cache_authorized = false;  ///< requests with Authorization may use the cache
  bool cache_cookies = false;     ///< requests with Cookie may use the cache
};

/// Why a request does not use the cache at all (forwarded as it is, nothing stored),
/// or nullopt when it may. The reason is what Cache-Status says as `detail`.
std::optional<std::string_view> request_bypass(std::string_view method, const HeaderList& request,
                                               const RequestRules& rules = {});

struct StorageDecision {
  bool store = false;
  std::string reason;         ///< why not, when !store (Cache-Status detail)
  std::int64_t fresh_ms = 0;  ///< freshness lifetime minus the initial age (may be <= 0)
  std::int64_t swr_ms = 0;    ///< stale-while-revalidate window after that
  std::int64_t sie_ms = 0;    ///< stale-if-error window after that
  std::int64_t age_s = 0;     ///< initial age (the Age header), added to Age on hits
  VaryList vary;
  std::vector<std::string> tags;  ///< Surrogate-Key then Cache-Tag, merged
};

struct ResponseRules {
  /// The route strips Set-Cookie from its answers (the proxy removes the fields from
  /// what it stores and answers), so their presence does not keep an answer out.
  bool strip_set_cookie = false;
  /// Lifetime (seconds) for answers that give none (a route's `ttl`); explicit
  /// Cache-Control / Surrogate-Control / Expires from the app still win.
  std::optional<std::int64_t> default_ttl_s;
  /// The same for 404 and 410 answers (a route's `negative_ttl`); default_ttl_s when unset.
  std::optional<std::int64_t> negative_ttl_s;
  /// Stale windows (seconds) for answers that give neither stale-while-revalidate nor
  /// stale-if-error (a route's `grace`, as Varnish's grace): served stale that long
  /// while one background request refreshes, and when the upstream fails.
  std::optional<std::int64_t> grace_s;
  /// Index of the `[[route]]` these rules come from (per-route metrics); none: -1.
  int route = -1;
  /// Tags added to the answer's own (a route's `tags`, expanded).
  std::vector<std::string> extra_tags;
};

/// `now_s`: the proxy's clock (Unix seconds) when the response arrived.
StorageDecision decide_storage(unsigned status, const HeaderList& response, std::int64_t now_s,
                               const ResponseRules& rules = {});

/// Status codes a shared cache stores (RFC 9110 section 15.1 heuristically cacheable
/// ones minus 206: Herald does not assemble ranges).
bool storable_status(unsigned status) noexcept;

}  // namespace herald::proxy
