// Backoff: each delay is min*2^n capped at max, times a jitter factor in [0.5, 1.5];
// reset() starts over; a fixed seed gives a fixed sequence.
#include "redis/core/backoff.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace herald::redis {
namespace {

using std::chrono::milliseconds;

TEST(Backoff, CappedExponentialWithinJitterBounds) {
  // Many seeds, so the bounds hold for the jitter, not for one lucky sequence.
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    Backoff b(milliseconds(100), milliseconds(1000), seed);
    const long long bases[] = {100, 200, 400, 800, 1000, 1000, 1000, 1000};
    for (long long base : bases) {
      const auto d = b.next().count();
      EXPECT_GE(d, base / 2) << "seed " << seed << " base " << base;
      EXPECT_LE(d, base * 3 / 2) << "seed " << seed << " base " << base;
    }
    // Far past the cap, still capped (and the doubling does not overflow).
    for (int i = 0; i < 200; ++i) {
      const auto d = b.next().count();
      ASSERT_GE(d, 500);
      ASSERT_LE(d, 1500);
    }
  }
}

TEST(Backoff, JitterActuallySpreads) {
  Backoff b(milliseconds(1000), milliseconds(1000), 7);
  std::vector<long long> v;
  for (int i = 0; i < 2000; ++i) v.push_back(b.next().count());
  auto [lo, hi] = std::minmax_element(v.begin(), v.end());
  EXPECT_GE(*lo, 500);
  EXPECT_LE(*hi, 1500);
  // Uniform on [500, 1500]: 2000 draws cover both ends well.
  EXPECT_LT(*lo, 600);
  EXPECT_GT(*hi, 1400);
}

TEST(Backoff, ResetStartsAgainFromMin) {
  Backoff b(milliseconds(100), milliseconds(10000), 1);
  for (int i = 0; i < 6; ++i) b.next();
  EXPECT_EQ(b.attempts(), 6u);
  b.reset();
  EXPECT_EQ(b.attempts(), 0u);
  const auto d = b.next().count();
  EXPECT_GE(d, 50);
  EXPECT_LE(d, 150);
  EXPECT_EQ(b.attempts(), 1u);
}

TEST(Backoff, SameSeedSameSequence) {
  Backoff a(milliseconds(50), milliseconds(2000), 12345);
  Backoff b(milliseconds(50), milliseconds(2000), 12345);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(a.next(), b.next());
}

TEST(Backoff, NeverZeroAndMaxBelowMinMeansMin) {
  Backoff tiny(milliseconds(1), milliseconds(1), 3);
  for (int i = 0; i < 100; ++i) EXPECT_GE(tiny.next().count(), 1);
  Backoff inverted(milliseconds(100), milliseconds(10), 3);
  for (int i = 0; i < 20; ++i) {
    const auto d = inverted.next().count();
    EXPECT_GE(d, 50);
    EXPECT_LE(d, 150);
  }
}

}  // namespace
}  // namespace herald::redis
