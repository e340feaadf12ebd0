// AdminGate: who may use the admin console (docs/operations.md "Admin console"): the
// password or admin-role JWT login with its throttle, the signed session cookie, the
// same-origin rule every /admin request and the console's WebSocket must pass, and
// the Identity an admin session's WebSocket gets (the one that may subscribe to
// `herald:admin:` channels). Built once per Server when the console is configured.
// Thread: any (the throttle locks; the rest is immutable). Cost: an HMAC per check.
#pragma once

#include <herald/gateway/channel_rules.hpp>
#include <herald/gateway/gateway_options.hpp>

#include "gateway/access/admin_session_codec.hpp"
#include "gateway/access/login_throttle.hpp"
#include "gateway/access_policy.hpp"

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace herald::gateway {

class AdminGate {
 public:
  /// Sessions last this long (then the console asks for the login again; its
  /// WebSocket is closed 4001 like a connection whose token expired).
  static constexpr std::chrono::hours session_ttl{8};

  /// True when the options turn the console on (a password or an admin JWT role).
  static bool enabled(const GatewayOptions& options) noexcept {
    return !options.admin_password.empty() || !options.admin_jwt_role.empty();
  }
  AdminGate(const GatewayOptions& options, const AccessPolicy& access);

  /// The outcome of a login attempt.
  struct Login {
    unsigned status = 200;  ///< 200, 400 (neither password nor token), 401, 429
    std::string admin;      ///< who, when 200
    std::string cookie;     ///< the session cookie value, when 200
    std::int64_t expires_at = 0;
    std::chrono::seconds retry_after{0};  ///< when 429
  };
  /// Checks `password` (constant time) or an admin-role `token`; `client` (the peer
  /// address) is throttled after failures. Any thread.
  Login login(std::string_view client, std::string_view password, std::string_view token);

  /// The session in the request's cookie, or nullopt (none, forged, expired).
  std::optional<AdminSession> session(
      const boost::beast::http::request<boost::beast::http::string_body>& req) const;
  /// The WebSocket/SSE identity of an admin session: same origin and a valid cookie.
  std::optional<Identity> realtime_identity(
      const boost::beast::http::request<boost::beast::http::string_body>& req) const;
  /// The same-origin rule: Origin (when present) names the Host, and Sec-Fetch-Site
  /// (when present) is `same-origin` or `none` (typed in the address bar).
  bool same_origin(const boost::beast::http::request<boost::beast::http::string_body>& req) const;

 private:
  std::string password_digest_;  ///< SHA-256 of the password ("" = no password login)
  std::string jwt_role_;
  const AccessPolicy& access_;
  AccessPolicy same_origin_;  ///< an empty allow-list: same origin only
  AdminSessionCodec codec_;
  LoginThrottle throttle_;
};

}  // namespace herald::gateway
