// libFuzzer target: arbitrary text into RedisUrl::parse; when it parses, the result
// must be sane (db >= 0) and redacted() must not reveal the password.
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
  const std::string red = url->redacted();
  if (!url->password.empty()) {
    // Redaction must not depend on the password's value at all: the same URL with
    // another password renders identically (a masked "***" password is fine).
    RedisUrl other = *url;
    other.password += "x";
    if (red != other.redacted()) std::abort();
  }
  return 0;
}
