// AccessPolicy: the connection-level gatekeeping of protocol.md sections 1-3: JWT
// authentication, the Origin allow-list and the HTTP API key. Sans-io (takes header
// values, not requests); immutable after construction, so every shard shares one.
#pragma once

#include <herald/gateway/channel_rules.hpp>
#include <herald/gateway/jwt.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace herald::gateway {

class AccessPolicy {
 public:
  /// Throws std::invalid_argument when the JWT key is unusable.
  AccessPolicy(const std::string& jwt_secret, const std::string& jwt_public_key_pem,
               std::vector<std::string> allowed_origins, std::string api_key);

  /// True when connections must present a JWT.
  bool auth_enabled() const noexcept { return verifier_.has_value(); }
  /// The identity in `token` (with its `exp`), or nullopt if it is bad or expired.
  /// Cost: one HMAC/RSA.
  std::optional<Identity> authenticate(std::string_view token) const;

  /// Origin rule: no Origin header is allowed; "*" allows any; otherwise the origin
  /// must be listed, or (empty list) match the request's Host (same origin).
  bool origin_allowed(std::string_view origin, std::string_view host) const;

  /// API key rule for /api/* and /metrics: `authorization` must be "apikey <key>";
  /// with no key configured only loopback clients are served.
  bool api_allowed(std::string_view authorization, bool loopback_client) const;

  /// The token of "Bearer <jwt>" (empty if the header is not a bearer token).
  static std::string_view bearer_token(std::string_view authorization);

 private:
  std::optional<JwtVerifier> verifier_;
  std::vector<std::string> allowed_origins_;
  std::string api_key_;
};

}  // namespace herald::gateway
