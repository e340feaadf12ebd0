// RequestPlan: what the proxy does with one request before any I/O: the route rule
// that applies, whether the request bypasses the cache (and why), its canonical URL
// (the cache key's base) and the rules its answer is stored under. One source for
// this decision: the client's shard (looking for a fresh answer it already holds) and
// the cache's thread (the full flow) both use it.
//
// Thread: pure function over an immutable RouteTable. Cost: one route match and one
// canonical URL (a sort of the query).
#pragma once

#include "proxy/core/header_list.hpp"
#include "proxy/core/route_table.hpp"
#include "proxy/core/storage_decision.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace herald::proxy {

struct RequestPlan {
  std::optional<RouteMatch> route;  ///< the first matching `[[route]]`
  /// Why the cache is not used ("method", "authorization", "route", "host", ...);
  /// nullopt for a cacheable GET/HEAD, and for PURGE.
  std::optional<std::string_view> bypass;
  /// "<host><path>?<sorted query>" when the cache is used, or for a PURGE with a
  /// valid Host and target; nullopt otherwise. A route's key_authorization and
  /// key_cookies append "\n<value>" lines (so each credential or cookie value has its
  /// own entries; the URL's PURGE tags are made before).
  std::optional<std::string> canonical;
  ResponseRules rules;  ///< the route's ttl, negative ttl and tags, plus the URL's tag
  bool purge = false;   ///< a PURGE (never forwarded)
};

RequestPlan plan_request(std::string_view method, std::string_view target,
                         const HeaderList& headers, const RouteTable& routes);

/// The `name=value` pairs of a Cookie header whose name is in `names`, in their
/// order, joined by "; " (what a route's key_cookies keeps).
std::string kept_cookies(std::string_view cookie_header, const std::vector<std::string>& names);

}  // namespace herald::proxy
