// AdminGate: login, throttle, session cookie and same-origin rule of the admin console.
#include "gateway/admin_gate.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <boost/beast/core/string.hpp>

#include <algorithm>
#include <stdexcept>

namespace herald::gateway {
namespace {

namespace http = boost::beast::http;

std::string sha256(std::string_view text) {
  unsigned char out[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), out);
  return std::string(reinterpret_cast<const char*>(out), sizeof out);
}

// The cookie key: derived from the shared settings, so every node of a cluster
// configured alike accepts the others' cookies (behind a load balancer), and a changed
// password ends every session. With neither a password nor an HS256 secret to derive
// from (RS256 JWT login only) it is random: sessions are per node.
std::string session_key(const GatewayOptions& o) {
  if (o.admin_password.empty() && o.jwt_secret.empty()) {
    std::string key(32, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(key.data()), 32) != 1)
      throw std::runtime_error("admin console: no random bytes for the session key");
    return key;
  }
  std::string material = "herald admin session v1";
  for (const std::string* part : {&o.admin_password, &o.jwt_secret, &o.admin_jwt_role}) {
    material += '\0';
    material += std::to_string(part->size());
    material += ':';
    material += *part;
  }
  return sha256(material);
}

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

AdminGate::AdminGate(const GatewayOptions& options, const AccessPolicy& access)
    : password_digest_(options.admin_password.empty() ? std::string{}
                                                      : sha256(options.admin_password)),
      jwt_role_(options.admin_jwt_role),
      access_(access),
      same_origin_("", "", {}, ""),
      codec_(session_key(options)) {}

AdminGate::Login AdminGate::login(std::string_view client, std::string_view password,
                                  std::string_view token) {
  Login out;
  const auto now = LoginThrottle::Clock::now();
  if (auto wait = throttle_.wait_before(client, now)) {
    out.status = 429;
    out.retry_after = *wait;
    return out;
  }
  if (password.empty() && token.empty()) {
    out.status = 400;
    return out;
  }
  bool ok = false;
  if (!password.empty() && !password_digest_.empty()) {
    // Digests of equal length: the comparison's time says nothing about the password.
    const std::string given = sha256(password);
    ok = CRYPTO_memcmp(given.data(), password_digest_.data(), given.size()) == 0;
    if (ok) out.admin = "password";
  } else if (!token.empty() && !jwt_role_.empty() && access_.auth_enabled()) {
    if (auto who = access_.authenticate(token)) {
      ok = std::find(who->roles.begin(), who->roles.end(), jwt_role_) != who->roles.end() &&
           !who->user.empty() && who->user.size() <= AdminSessionCodec::max_admin_bytes;
      if (ok) out.admin = "jwt:" + who->user;
    }
  }
  if (!ok) {
    throttle_.failed(client, now);
    out.status = 401;
    out.admin.clear();
    return out;
  }
  throttle_.succeeded(client);
  out.expires_at =
      unix_now() + std::chrono::duration_cast<std::chrono::seconds>(session_ttl).count();
  out.cookie = codec_.issue(out.admin, out.expires_at);
  return out;
}

std::optional<AdminSession> AdminGate::session(const http::request<http::string_body>& req) const {
  auto value =
      AdminSessionCodec::find_cookie(req[http::field::cookie], AdminSessionCodec::cookie_name);
  if (value.empty()) return std::nullopt;
  return codec_.verify(value, unix_now());
}

std::optional<Identity> AdminGate::realtime_identity(
    const http::request<http::string_body>& req) const {
  if (!same_origin(req)) return std::nullopt;
  auto s = session(req);
  if (!s) return std::nullopt;
  Identity who;
  who.user = "admin:" + s->admin;
  who.expires_at = s->expires_at;
  who.admin = true;
  return who;
}

bool AdminGate::same_origin(const http::request<http::string_body>& req) const {
  if (!same_origin_.origin_allowed(req[http::field::origin], req[http::field::host])) return false;
  const std::string_view site = req["Sec-Fetch-Site"];
  return site.empty() || boost::beast::iequals(site, "same-origin") ||
         boost::beast::iequals(site, "none");
}

}  // namespace herald::gateway
