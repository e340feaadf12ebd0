// JwtVerifier: checks a compact JWS token (HS256 or RS256) and extracts Herald's
// claims. Sans-io: no sockets, no clock of its own (the caller passes `now`).
//
// Rejected, each with its own JwtError: malformed tokens (not three base64url parts,
// bad JSON), `alg` other than the verifier's algorithm (including "none"), a bad
// signature, a missing or past `exp`, a missing `sub`, a `nbf` in the future.
#pragma once

#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace herald::gateway {

enum class JwtError {
  malformed = 1,    ///< not header.payload.signature, bad base64url, or bad JSON
  unsupported_alg,  ///< alg is not the configured one (e.g. "none", HS256 vs RS256)
  bad_signature,    ///< signature does not verify with the configured key
  expired,          ///< exp is missing or not after now
  not_yet_valid,    ///< nbf is after now
  missing_subject,  ///< no string `sub` claim
  bad_key,          ///< the configured secret/public key is unusable
};

const boost::system::error_category& jwt_error_category() noexcept;
inline boost::system::error_code make_error_code(JwtError e) noexcept {
  return {static_cast<int>(e), jwt_error_category()};
}

struct JwtClaims {
  std::string sub;                    ///< user id
  std::int64_t exp = 0;               ///< seconds since the epoch
  std::vector<std::string> roles;     ///< optional `roles` array
  std::vector<std::string> channels;  ///< optional `channels` array of allowed globs
};

class JwtVerifier {
 public:
  /// HS256 with a shared secret (must not be empty).
  static boost::system::result<JwtVerifier> hs256(std::string secret);
  /// RS256 with a PEM public key ("-----BEGIN PUBLIC KEY-----").
  static boost::system::result<JwtVerifier> rs256(std::string_view public_key_pem);

  /// Verifies `token` at time `now` (seconds since the epoch). Cost: one HMAC or RSA
  /// verification plus JSON parsing of the header and payload.
  boost::system::result<JwtClaims> verify(std::string_view token, std::int64_t now) const;

  class Key;  // opaque: secret or EVP_PKEY

 private:
  explicit JwtVerifier(std::shared_ptr<const Key> key) : key_(std::move(key)) {}
  std::shared_ptr<const Key> key_;
};

}  // namespace herald::gateway

template <>
struct boost::system::is_error_code_enum<herald::gateway::JwtError> : std::true_type {};
