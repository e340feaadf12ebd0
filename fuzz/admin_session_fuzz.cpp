// libFuzzer target: arbitrary text as an admin console session cookie value and as a
// Cookie header. Invariants: nothing crashes or leaks; a random value never verifies
// (it would need the HMAC); a value issued for a verified name round-trips.
#include "gateway/access/admin_session_codec.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using herald::gateway::AdminSessionCodec;
  static const AdminSessionCodec codec("fuzz key");
  constexpr std::int64_t now = 1'700'000'000;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (codec.verify(text, now)) std::abort();  // forged without the key
  std::string_view found = AdminSessionCodec::find_cookie(text, AdminSessionCodec::cookie_name);
  if (codec.verify(found, now)) std::abort();
  if (!text.empty() && text.size() <= AdminSessionCodec::max_admin_bytes) {
    auto s = codec.verify(codec.issue(text, now + 10), now);
    if (!s || s->admin != text || s->expires_at != now + 10) std::abort();
  }
  return 0;
}
