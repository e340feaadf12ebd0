// AccessPolicy: JWT, Origin and API-key checks (see access_policy.hpp).
#include "gateway/access_policy.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <stdexcept>

namespace herald::gateway {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// "https://Example.com:443" -> "example.com" style authority for comparison with Host.
std::string_view strip_default_port(std::string_view authority, std::string_view scheme) {
  if ((scheme == "http" && authority.ends_with(":80")) ||
      (scheme == "https" && authority.ends_with(":443"))) {
    authority.remove_suffix(authority.size() - authority.rfind(':'));
  }
  return authority;
}

}  // namespace

AccessPolicy::AccessPolicy(const std::string& jwt_secret, const std::string& jwt_public_key_pem,
                           std::vector<std::string> allowed_origins, std::string api_key)
    : allowed_origins_(std::move(allowed_origins)), api_key_(std::move(api_key)) {
  if (!jwt_public_key_pem.empty()) {
    auto v = JwtVerifier::rs256(jwt_public_key_pem);
    if (!v) throw std::invalid_argument("jwt public key: " + v.error().message());
    verifier_.emplace(std::move(*v));
  } else if (!jwt_secret.empty()) {
    auto v = JwtVerifier::hs256(jwt_secret);
    if (!v) throw std::invalid_argument("jwt secret: " + v.error().message());
    verifier_.emplace(std::move(*v));
  }
}

std::optional<Identity> AccessPolicy::authenticate(std::string_view token) const {
  if (!verifier_) return Identity{};
  auto now = std::chrono::duration_cast<std::chrono::seconds>(
      std::chrono::system_clock::now().time_since_epoch());
  auto claims = verifier_->verify(token, now.count());
  if (!claims) return std::nullopt;
  return Identity{std::move(claims->sub), std::move(claims->roles), std::move(claims->channels),
                  claims->exp};
}

bool AccessPolicy::origin_allowed(std::string_view origin, std::string_view host) const {
  if (origin.empty()) return true;
  for (const std::string& allowed : allowed_origins_) {
    if (allowed == "*" || iequals(allowed, origin)) return true;
  }
  if (!allowed_origins_.empty()) return false;
  // Same origin: the Origin's authority must be the Host the client connected to.
  auto sep = origin.find("://");
  if (sep == std::string_view::npos || host.empty()) return false;
  std::string_view scheme = origin.substr(0, sep);
  std::string_view authority = strip_default_port(origin.substr(sep + 3), scheme);
  return iequals(authority, strip_default_port(host, scheme));
}

bool AccessPolicy::api_allowed(std::string_view authorization, bool loopback_client) const {
  if (api_key_.empty()) return loopback_client;
  constexpr std::string_view prefix = "apikey ";
  if (authorization.size() <= prefix.size() ||
      !iequals(authorization.substr(0, prefix.size()), prefix))
    return false;
  std::string_view key = authorization.substr(prefix.size());
  // Constant-time comparison: the key is a secret.
  return key.size() == api_key_.size() &&
         CRYPTO_memcmp(key.data(), api_key_.data(), key.size()) == 0;
}

std::string_view AccessPolicy::bearer_token(std::string_view authorization) {
  constexpr std::string_view prefix = "bearer ";
  if (authorization.size() <= prefix.size() ||
      !iequals(authorization.substr(0, prefix.size()), prefix))
    return {};
  return authorization.substr(prefix.size());
}

}  // namespace herald::gateway
