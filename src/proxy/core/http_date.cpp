// HTTP-date parsing and formatting without locale or timezone state (days from
// civil date by Howard Hinnant's algorithm), so it is thread-safe and exact.
#include "proxy/core/http_date.hpp"

#include <array>
#include <cstdio>

namespace herald::proxy {
namespace {

constexpr std::array<std::string_view, 12> kMonths{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr std::array<std::string_view, 7> kDays{"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

/// A small cursor over the text.
struct Reader {
  std::string_view s;
  std::size_t i = 0;
  bool lit(std::string_view t) {
    if (s.substr(i, t.size()) != t) return false;
    i += t.size();
    return true;
  }
  bool digits(std::size_t n, int& out) {
    if (i + n > s.size()) return false;
    out = 0;
    for (std::size_t k = 0; k < n; ++k) {
      const char c = s[i + k];
      if (c < '0' || c > '9') return false;
      out = out * 10 + (c - '0');
    }
    i += n;
    return true;
  }
  bool month(unsigned& out) {
    for (unsigned k = 0; k < 12; ++k)
      if (s.substr(i, 3) == kMonths[k]) {
        out = k + 1;
        i += 3;
        return true;
      }
    return false;
  }
  bool time(int& h, int& m, int& sec) {
    return digits(2, h) && lit(":") && digits(2, m) && lit(":") && digits(2, sec);
  }
  bool skip_day_name() {  // "Sun" .. or "Sunday"; checked only for shape
    std::size_t n = 0;
    while (i + n < s.size() &&
           ((s[i + n] >= 'a' && s[i + n] <= 'z') || (s[i + n] >= 'A' && s[i + n] <= 'Z')))
      ++n;
    if (n < 3 || n > 9) return false;
    i += n;
    return true;
  }
  bool done() const { return i == s.size(); }
};

std::optional<std::int64_t> make(int y, unsigned mon, int d, int h, int m, int sec) {
  if (d < 1 || d > 31 || h > 23 || m > 59 || sec > 60) return std::nullopt;
  return days_from_civil(y, mon, static_cast<unsigned>(d)) * 86400 + std::int64_t{h} * 3600 +
         std::int64_t{m} * 60 + sec;
}

}  // namespace

std::optional<std::int64_t> parse_http_date(std::string_view text) {
  int y = 0, d = 0, h = 0, m = 0, sec = 0;
  unsigned mon = 0;
  {  // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
    Reader r{text};
    if (r.skip_day_name() && r.lit(", ") && r.digits(2, d) && r.lit(" ") && r.month(mon) &&
        r.lit(" ") && r.digits(4, y) && r.lit(" ") && r.time(h, m, sec) && r.lit(" GMT") &&
        r.done())
      return make(y, mon, d, h, m, sec);
  }
  {  // RFC 850: Sunday, 06-Nov-94 08:49:37 GMT (two-digit years: 70-99 -> 19xx)
    Reader r{text};
    if (r.skip_day_name() && r.lit(", ") && r.digits(2, d) && r.lit("-") && r.month(mon) &&
        r.lit("-") && r.digits(2, y) && r.lit(" ") && r.time(h, m, sec) && r.lit(" GMT") &&
        r.done())
      return make(y < 70 ? 2000 + y : 1900 + y, mon, d, h, m, sec);
  }
  {  // asctime: Sun Nov  6 08:49:37 1994
    Reader r{text};
    if (r.skip_day_name() && r.lit(" ") && r.month(mon) && r.lit(" ")) {
      if (r.lit(" ")) {
        if (!r.digits(1, d)) return std::nullopt;
      } else if (!r.digits(2, d)) {
        return std::nullopt;
      }
      if (r.lit(" ") && r.time(h, m, sec) && r.lit(" ") && r.digits(4, y) && r.done())
        return make(y, mon, d, h, m, sec);
    }
  }
  return std::nullopt;
}

std::string format_http_date(std::int64_t t) {
  std::int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
  const std::int64_t secs = t - days * 86400;
  const auto weekday = kDays[static_cast<std::size_t>(((days % 7) + 7) % 7)];
  // civil_from_days (Hinnant)
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const auto doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned mon = mp < 10 ? mp + 3 : mp - 9;
  y += mon <= 2;
  char buf[96];
  std::snprintf(buf, sizeof buf, "%.3s, %02u %.3s %04lld %02lld:%02lld:%02lld GMT", weekday.data(),
                d, kMonths[mon - 1].data(), static_cast<long long>(y),
                static_cast<long long>(secs / 3600), static_cast<long long>(secs / 60 % 60),
                static_cast<long long>(secs % 60));
  return buf;
}

}  // namespace herald::proxy
