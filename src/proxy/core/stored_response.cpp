// StoredResponse envelope encode/parse (format in stored_response.hpp).
#include "proxy/core/stored_response.hpp"

#include <algorithm>
#include <charconv>

namespace herald::proxy {
namespace {

constexpr std::string_view kMagic = "HP1 ";

bool clean(std::string_view s) {
  return s.find_first_of("\r\n") == std::string_view::npos;
}

std::string join(const std::vector<std::string>& items, char sep) {
  std::string out;
  for (const auto& i : items) {
    if (!clean(i) || i.find(sep) != std::string::npos || i.empty()) continue;
    if (!out.empty()) out += sep;
    out += i;
  }
  return out;
}

/// Reads a decimal integer (optional '-') ending at `sep`.
bool number(std::string_view& s, char sep, std::int64_t& out) {
  const auto end = s.find(sep);
  if (end == std::string_view::npos || end == 0 || end > 20) return false;
  const std::string_view digits = s.substr(0, end);
  if (digits.size() > 1 && digits[0] == '0') return false;  // canonical: no leading zeros
  if (digits == "-0" || (digits.size() > 2 && digits[0] == '-' && digits[1] == '0')) return false;
  auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), out);
  if (ec != std::errc() || p != digits.data() + digits.size()) return false;
  s.remove_prefix(end + 1);
  return true;
}

bool line(std::string_view& s, std::string_view& out) {
  const auto end = s.find('\n');
  if (end == std::string_view::npos) return false;
  out = s.substr(0, end);
  if (out.find('\r') != std::string_view::npos) return false;
  s.remove_prefix(end + 1);
  return true;
}

}  // namespace

std::string StoredResponse::encode() const {
  std::string out;
  out.reserve(128 + head.size() + body.size());
  out += kMagic;
  for (std::int64_t v : {stored_ms, age_s, fresh_ms, swr_ms, sie_ms, std::int64_t{status},
                         static_cast<std::int64_t>(head.size())}) {
    out += std::to_string(v);
    out += ' ';
  }
  out += std::to_string(body.size());
  out += '\n';
  out += join(vary, ',');
  out += '\n';
  out += join(tags, ' ');
  out += '\n';
  if (clean(etag)) out += etag;
  out += '\n';
  if (clean(last_modified)) out += last_modified;
  out += '\n';
  out += head;
  out += body;
  return out;
}

std::optional<StoredResponseView> StoredResponseView::parse(std::string_view s) {
  if (!s.starts_with(kMagic)) return std::nullopt;
  s.remove_prefix(kMagic.size());
  StoredResponseView v;
  std::int64_t status = 0, head_len = 0, body_len = 0;
  if (!number(s, ' ', v.stored_ms) || !number(s, ' ', v.age_s) || !number(s, ' ', v.fresh_ms) ||
      !number(s, ' ', v.swr_ms) || !number(s, ' ', v.sie_ms) || !number(s, ' ', status) ||
      !number(s, ' ', head_len) || !number(s, '\n', body_len))
    return std::nullopt;
  if (status < 100 || status > 999 || head_len < 0 || body_len < 0 || v.age_s < 0 || v.swr_ms < 0 ||
      v.sie_ms < 0)
    return std::nullopt;
  v.status = static_cast<unsigned>(status);
  if (!line(s, v.vary) || !line(s, v.tags) || !line(s, v.etag) || !line(s, v.last_modified))
    return std::nullopt;
  if (static_cast<std::uint64_t>(head_len) > s.size() ||
      static_cast<std::uint64_t>(body_len) != s.size() - static_cast<std::uint64_t>(head_len))
    return std::nullopt;
  v.head = s.substr(0, static_cast<std::size_t>(head_len));
  v.body = s.substr(static_cast<std::size_t>(head_len));
  return v;
}

std::int64_t StoredResponseView::age_at(std::int64_t now_ms) const noexcept {
  return age_s + std::max<std::int64_t>(0, now_ms - stored_ms) / 1000;
}

std::int64_t StoredResponseView::ttl_at(std::int64_t now_ms) const noexcept {
  const std::int64_t left = stored_ms + fresh_ms - now_ms;
  return left >= 0 ? left / 1000 : -((-left + 999) / 1000);
}

std::int64_t StoredResponseView::keep_ms() const noexcept {
  const std::int64_t validators = etag.empty() && last_modified.empty() ? 0 : kRevalidationKeepMs;
  return fresh_ms + std::max({swr_ms, sie_ms, validators});
}

}  // namespace herald::proxy
