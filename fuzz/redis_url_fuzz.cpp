// libFuzzer target: arbitrary text into RedisUrl::parse; when it parses, the result
// must be sane (db >= 0, TLS options only on a rediss:// URL, a key only with its
// certificate, a Sentinel URL with 1..kMaxSentinels sentinels and a master name) and
// redacted() must reveal neither password (data or Sentinel) nor the TLS files; a
// Sentinel URL's redacted form parses again to the same sentinels and master, a
// Cluster URL's (1..kMaxSentinels seeds, db 0) to the same seeds.
#include <herald/redis/url.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

using herald::redis::RedisUrl;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto url = RedisUrl::parse(text);
  if (!url) return 0;
  if (url->db < 0) std::abort();
  const auto& tls = url->tls;
  if (!tls.enabled && !(tls == herald::redis::TlsOptions{})) std::abort();
  if (tls.enabled && url->transport != RedisUrl::Transport::tcp) std::abort();
  if (!tls.key_file.empty() && tls.cert_file.empty()) std::abort();
  const std::string red = url->redacted();
  if (url->is_sentinel()) {
    const auto& s = url->sentinel;
    if (s.sentinels.size() > RedisUrl::kMaxSentinels || s.master_name.empty()) std::abort();
    if (!s.user.empty() && s.password.empty()) std::abort();
    for (const auto& a : s.sentinels)
      if (a.host.empty() || a.port == 0) std::abort();
    RedisUrl other = *url;
    other.sentinel.password += "x";
    if (red != other.redacted()) std::abort();
    other.user.clear();
    other.password.clear();
    auto again = RedisUrl::parse(other.redacted());
    if (!again || again->sentinel.sentinels != s.sentinels ||
        again->sentinel.master_name != s.master_name || again->db != url->db)
      std::abort();
  } else if (!(url->sentinel == herald::redis::SentinelOptions{})) {
    std::abort();
  }
  if (url->is_cluster()) {
    if (url->is_sentinel() || url->cluster.size() > RedisUrl::kMaxSentinels || url->db != 0)
      std::abort();
    for (const auto& a : url->cluster)
      if (a.host.empty() || a.port == 0) std::abort();
    RedisUrl other = *url;
    other.user.clear();
    other.password.clear();
    auto again = RedisUrl::parse(other.redacted());
    if (!again || again->cluster != url->cluster) std::abort();
  }
  if (tls.enabled) {
    RedisUrl other = *url;
    other.tls.ca_file += "x";
    other.tls.cert_file += "x";
    other.tls.key_file += "x";
    if (red != other.redacted()) std::abort();
  }
  if (!url->password.empty()) {
    // Redaction must not depend on the password's value at all: the same URL with
    // another password renders identically (a masked "***" password is fine).
    RedisUrl other = *url;
    other.password += "x";
    if (red != other.redacted()) std::abort();
  }
  return 0;
}
