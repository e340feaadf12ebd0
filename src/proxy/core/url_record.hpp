// UrlRecord: what the cache remembers about one URL across its variants: the Vary
// names its responses carry (to find the variant a request selects) and the tags
// they were stored under (an entry is read with the tags it was written with), or
// that its last response could not be stored (`pass`: later requests go to the
// upstream at once instead of queueing behind one another, as Varnish's hit-for-miss).
//
// Encoding: "HU1 <pass 0|1>\n<vary, comma-separated>\n<tags, space-separated>".
// Thread: value type. Cost: O(size).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace herald::proxy {

struct UrlRecord {
  bool pass = false;
  std::vector<std::string> vary;
  std::vector<std::string> tags;

  std::string encode() const;
  static std::optional<UrlRecord> parse(std::string_view value);
  bool operator==(const UrlRecord&) const = default;
};

}  // namespace herald::proxy
