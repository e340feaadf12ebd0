// AdminStatsFeed::quantile_ms: the console's p50/p99 from a window of the delivery
// latency histogram (per-bucket counts): the upper bound of the bucket the quantile
// falls in, the last finite bound for the +Inf bucket, negative when empty.
#include "gateway/admin_stats_feed.hpp"

#include <gtest/gtest.h>

namespace herald::gateway {
namespace {

using Counts = std::array<std::uint64_t, latency_buckets.size() + 1>;

TEST(AdminStatsFeed, QuantilesFromBuckets) {
  Counts empty{};
  EXPECT_LT(AdminStatsFeed::quantile_ms(empty, 0.5), 0);
  Counts c{};
  c[0] = 90;  // <= 0.1 ms
  c[4] = 9;   // <= 2.5 ms
  c[8] = 1;   // <= 50 ms
  EXPECT_DOUBLE_EQ(AdminStatsFeed::quantile_ms(c, 0.5), 0.1);
  EXPECT_DOUBLE_EQ(AdminStatsFeed::quantile_ms(c, 0.9), 0.1);
  EXPECT_DOUBLE_EQ(AdminStatsFeed::quantile_ms(c, 0.99), 2.5);
  EXPECT_DOUBLE_EQ(AdminStatsFeed::quantile_ms(c, 1.0), 50.0);
  Counts slow{};
  slow.back() = 3;  // beyond the last bound
  EXPECT_DOUBLE_EQ(AdminStatsFeed::quantile_ms(slow, 0.5), latency_buckets.back() * 1000.0);
}

}  // namespace
}  // namespace herald::gateway
