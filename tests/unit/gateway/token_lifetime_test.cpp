// Token lifetime rules on live connections (token_lifetime.hpp): when an exp has
// passed, the steady deadline it maps to (capped, overflow-free), and which refreshes
// are accepted.
#include "gateway/token_lifetime.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace herald::gateway {
namespace {

using namespace std::chrono_literals;
using std::chrono::steady_clock;
using std::chrono::system_clock;

// 2026-11-23 12:00:00.250 UTC: a quarter second into the second.
const system_clock::time_point wall{std::chrono::milliseconds(1795435200250)};
const std::int64_t wall_s = 1795435200;
const steady_clock::time_point mono{std::chrono::hours(1000)};

TEST(TokenLifetime, ExpEqualToTheCurrentSecondIsExpired) {
  EXPECT_FALSE(token_expired(0, wall));  // no exp: never
  EXPECT_FALSE(token_expired(wall_s + 1, wall));
  EXPECT_TRUE(token_expired(wall_s, wall));
  EXPECT_TRUE(token_expired(wall_s - 1, wall));
}

TEST(TokenLifetime, DeadlineIsTheExpSecondOnTheSteadyClock) {
  // exp = next second: 750 ms from a quarter past.
  EXPECT_EQ(expiry_deadline(wall_s + 1, wall, mono), mono + 750ms);
  EXPECT_EQ(expiry_deadline(wall_s + 60, wall, mono), mono + 59750ms);
  // Expired (or expiring this second): due now.
  EXPECT_EQ(expiry_deadline(wall_s, wall, mono), mono);
  EXPECT_EQ(expiry_deadline(wall_s - 100, wall, mono), mono);
  EXPECT_TRUE(token_expired(wall_s + 1, wall + 750ms));  // at the deadline it has expired
}

TEST(TokenLifetime, FarExpiriesAreReachedInCappedSteps) {
  EXPECT_EQ(expiry_deadline(wall_s + 7 * 86400, wall, mono), mono + max_expiry_wait);
  // No overflow for the largest exp a token can carry.
  EXPECT_EQ(expiry_deadline(std::numeric_limits<std::int64_t>::max(), wall, mono),
            mono + max_expiry_wait);
  EXPECT_EQ(expiry_deadline(wall_s + 86400, wall, mono), mono + 86399750ms);
}

TEST(TokenLifetime, RefreshNeedsAValidTokenForTheSameUser) {
  Identity current{"42", {"user"}, {}, wall_s + 10};
  EXPECT_TRUE(check_refresh(current, Identity{"42", {"admin"}, {}, wall_s + 3600}).accepted());
  auto bad = check_refresh(current, std::nullopt);
  EXPECT_EQ(bad.code, 401);
  EXPECT_EQ(bad.message, "invalid or expired token");
  auto other = check_refresh(current, Identity{"43", {}, {}, wall_s + 3600});
  EXPECT_EQ(other.code, 403);
  EXPECT_EQ(other.message, "token is for another user");
}

}  // namespace
}  // namespace herald::gateway
