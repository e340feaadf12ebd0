// HTTP-date (RFC 9110 section 5.6.7): IMF-fixdate, and the obsolete RFC 850 and
// asctime forms a recipient must accept. Used for Date, Expires, Last-Modified and
// If-Modified-Since.
//
// Thread: pure functions. Cost: O(1).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace herald::proxy {

/// Seconds since the Unix epoch, or nullopt when `text` is not an HTTP-date.
std::optional<std::int64_t> parse_http_date(std::string_view text);
/// IMF-fixdate, e.g. "Sun, 06 Nov 1994 08:49:37 GMT".
std::string format_http_date(std::int64_t unix_seconds);

}  // namespace herald::proxy
