// RouteRule: one `[[route]]` table of the config file: what the HTTP cache gateway
// does for the paths it matches, first matching rule wins.
//
//   [[route]]
//   match = "/api/products/{id}"      # segments: literal, {name} (one segment,
//                                     # captured), * (one segment), ** (last: the rest)
//   methods = ["GET", "PUT"]          # default: every method
//   ttl = 60                          # seconds, for answers that give no lifetime
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
  std::vector<std::string> methods;         ///< empty: every method
  std::optional<std::chrono::seconds> ttl;  ///< lifetime when the answer has none
  bool cache = true;
  std::vector<std::string> tags;        ///< templates: {name} is a capture of `match`
  std::vector<std::string> invalidate;  ///< templates, for successful writes
};

}  // namespace herald::proxy
