// libFuzzer target: arbitrary text into RedisUrl::parse; when it parses, the result
// must be sane (db >= 0, TLS options only on a rediss:// URL, a key only with its
// certificate) and redacted() must reveal neither the password nor the TLS files.
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
