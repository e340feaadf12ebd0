// Token lifetime on live connections (sans-io, header-only): when a connection
// authenticated by a JWT must be closed because the token's `exp` passed, and
// whether an `auth` frame sent after `welcome` may replace (refresh) the token.
// The clocks are parameters so that tests can pin them.
#pragma once

#include <herald/gateway/channel_rules.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace herald::gateway {

/// True once `expires_at` (JWT `exp`, seconds since the epoch) has passed at `now`.
/// Same rule as at connect time: `exp` equal to the current second is expired.
/// 0 means no expiry (auth off).
inline bool token_expired(std::int64_t expires_at, std::chrono::system_clock::time_point now) {
  if (expires_at == 0) return false;
  return std::chrono::floor<std::chrono::seconds>(now.time_since_epoch()).count() >= expires_at;
}

/// Longest single wait on a token's expiry: a later `exp` is reached in steps (the
/// caller re-arms when a step ends early), which keeps the conversion from the system
/// clock to the steady clock free of overflow for any `exp` a token may carry.
inline constexpr std::chrono::hours max_expiry_wait{24};

/// The steady-clock instant at which a token expiring at `expires_at` (system clock)
/// expires, as seen at (`system_now`, `steady_now`); capped at max_expiry_wait ahead.
/// An expired token gives `steady_now`. `expires_at` must not be 0.
inline std::chrono::steady_clock::time_point expiry_deadline(
    std::int64_t expires_at, std::chrono::system_clock::time_point system_now,
    std::chrono::steady_clock::time_point steady_now) {
  using namespace std::chrono;
  auto now_s = floor<seconds>(system_now.time_since_epoch()).count();
  if (expires_at <= now_s) return steady_now;
  if (expires_at - now_s > duration_cast<seconds>(max_expiry_wait).count())
    return steady_now + max_expiry_wait;
  auto remaining = seconds(expires_at) - system_now.time_since_epoch();
  return steady_now + duration_cast<steady_clock::duration>(remaining);
}

/// Why a token refresh (an `auth` frame on an authenticated connection) is refused:
/// code 0 = accepted, otherwise the error frame's code and message. The connection
/// keeps its current token either way.
struct RefreshVerdict {
  int code = 0;
  std::string_view message;
  bool accepted() const noexcept { return code == 0; }
};

/// `fresh` is the identity in the new token (nullopt: bad, expired or not yet valid).
/// A refresh must name the same user (`sub`): a connection never changes hands.
inline RefreshVerdict check_refresh(const Identity& current, const std::optional<Identity>& fresh) {
  if (!fresh) return {401, "invalid or expired token"};
  if (fresh->user != current.user) return {403, "token is for another user"};
  return {};
}

}  // namespace herald::gateway
