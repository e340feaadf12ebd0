// RouteRule: one `[[route]]` table of the config file: what the HTTP cache gateway
// does for the paths it matches, first matching rule wins.
//
//   [[route]]
//   match = "/api/products/{id}"      # segments: literal, {name} (one segment,
//                                     # captured), * (one segment), ** (last: the rest)
//   methods = ["GET", "PUT"]          # default: every method
//   ttl = 60                          # seconds, for answers that give no lifetime
//   negative_ttl = 10                 # the same for 404 and 410 answers
//   ignore_query = ["utm_*", "fbclid"]  # query parameters left out of the cache key
//   cache = true                      # false: GET/HEAD go to the app uncached
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
  /// Query parameter names left out of the key: exact, or a prefix ending in '*'.
  std::vector<std::string> ignore_query;
  bool cache = true;
  std::vector<std::string> tags;        ///< templates: {name} is a capture of `match`
  std::vector<std::string> invalidate;  ///< templates, for successful writes
};

}  // namespace herald::proxy
