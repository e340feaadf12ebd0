// AdminSessionCodec: the admin console's session cookie, signed and expiring.
// Value: `<hex(admin name)>.<expiry, Unix seconds>.<hex(HMAC-SHA256(key, first two))>`.
// Nothing is stored server-side: any node holding the same key (derived from the
// shared admin settings) accepts a cookie issued by another node.
// Thread: immutable after construction, any thread. Cost: one HMAC-SHA256 per call.
// Sans-io: the caller passes `now` (seconds since the epoch).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace herald::gateway {

/// Who logged in, and until when.
struct AdminSession {
  std::string admin;            ///< "password" or the JWT's `sub`
  std::int64_t expires_at = 0;  ///< Unix seconds
};

class AdminSessionCodec {
 public:
  /// Cookie name (with the `__Host-` prefix when served over TLS is the caller's call).
  static constexpr std::string_view cookie_name = "herald_admin";
  /// Names longer than this are refused by issue() and verify() (a JWT `sub`).
  static constexpr std::size_t max_admin_bytes = 256;

  /// `key`: the HMAC key (any length; empty is refused: std::invalid_argument).
  explicit AdminSessionCodec(std::string key);

  /// The cookie value for `admin` valid until `expires_at`.
  std::string issue(std::string_view admin, std::int64_t expires_at) const;
  /// The session in `value`, or nullopt when it is malformed, forged or expired
  /// (`expires_at <= now`). Constant-time comparison of the signature.
  std::optional<AdminSession> verify(std::string_view value, std::int64_t now) const;

  /// The value of cookie `name` in a `Cookie:` header (`a=b; c=d`), or "" if absent.
  static std::string_view find_cookie(std::string_view header, std::string_view name);

 private:
  std::string mac_hex(std::string_view signed_part) const;
  std::string key_;
};

}  // namespace herald::gateway
