// RouteRule: one `[[route]]` table of the config file: what the HTTP cache gateway
// does for the paths it matches, first matching rule wins.
//
//   [[route]]
//   match = "/api/products/{id}"      # segments: literal, {name} (one segment,
//                                     # captured), * (one segment), ** (last: the rest)
//   methods = ["GET", "PUT"]          # default: every method
//   ttl = 60                          # seconds, for answers that give no lifetime
//   negative_ttl = 10                 # the same for 404 and 410 answers
//   grace = 30                        # stale windows for answers that give none
//   ignore_query = ["utm_*", "fbclid"]  # query parameters left out of the cache key
//   cache = true                      # false: GET/HEAD go to the app uncached
//   key_cookies = ["currency"]        # requests with cookies use the cache; these
//                                     # cookies join the key, the app sees only them
//   key_authorization = true          # requests with Authorization use the cache,
//                                     # one entry per credential
//   strip_set_cookie = true           # Set-Cookie removed from answers, which may
//                                     # then be stored
//   tags = ["products", "product:{id}"]       # added to the answer's own tags
//   invalidate = ["products", "product:{id}"] # after a 2xx to a non-GET/HEAD
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace herald::proxy {

struct RouteRule {
  std::string match;
  std::vector<std::string> methods;                  ///< empty: every method
  std::optional<std::chrono::seconds> ttl;           ///< lifetime when the answer has none
  std::optional<std::chrono::seconds> negative_ttl;  ///< the same for 404 / 410
  /// stale-while-revalidate and stale-if-error for answers that give neither.
  std::optional<std::chrono::seconds> grace;
  /// Query parameter names left out of the key: exact, or a prefix ending in '*'.
  std::vector<std::string> ignore_query;
  bool cache = true;
  /// Requests carrying cookies use the cache; the values of these cookies join the
  /// cache key and a cache fill sends the app these cookies only (so an answer cannot
  /// depend on the others). Empty: requests with a Cookie bypass the cache.
  std::vector<std::string> key_cookies;
  /// Requests with Authorization use the cache, its value joining the key.
  bool key_authorization = false;
  /// Set-Cookie fields are removed from the route's answers (as Varnish's
  /// `unset beresp.http.Set-Cookie`), so that they may be stored.
  bool strip_set_cookie = false;
  std::vector<std::string> tags;        ///< templates: {name} is a capture of `match`
  std::vector<std::string> invalidate;  ///< templates, for successful writes
};

}  // namespace herald::proxy
