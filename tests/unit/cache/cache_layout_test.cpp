// CacheLayout: the Redis key names docs/cache.md documents, spelled out once here
// (every other test and the code use CacheLayout), and SCAN patterns that match
// only what they name even when the prefix holds glob characters.
#include "cache/cache_layout.hpp"

#include <gtest/gtest.h>

namespace herald::cache {
namespace {

TEST(CacheLayout, NamesOfTheDocumentedLayout) {
  const CacheLayout l("herald:cache");
  EXPECT_EQ(l.hash_tag(), "{herald:cache}");
  EXPECT_EQ(l.entry("shop:product:42"), "{herald:cache}:e:shop:product:42");
  EXPECT_EQ(l.entry_prefix(), "{herald:cache}:e:");
  EXPECT_EQ(l.generation(), "{herald:cache}:gen");
  EXPECT_EQ(l.namespace_version("shop"), "{herald:cache}:ns:shop");
  EXPECT_EQ(l.tag_version("products"), "{herald:cache}:tv:products");
  EXPECT_EQ(l.tag_count("products"), "{herald:cache}:tn:products");
  EXPECT_EQ(l.lock("shop:product:42"), "{herald:cache}:lock:shop:product:42");
  EXPECT_EQ(l.stats("node1"), "{herald:cache}:stats:node1");
  EXPECT_EQ(l.all_entries_pattern(), "{herald:cache}:e:*");
  EXPECT_EQ(l.namespace_entries_pattern("shop"), "{herald:cache}:e:shop:*");
  EXPECT_EQ(l.all_stats_pattern(), "{herald:cache}:stats:*");
}

TEST(CacheLayout, PatternsEscapeGlobCharacters) {
  const CacheLayout l("a*b[c]?\\");
  EXPECT_EQ(l.all_entries_pattern(), "{a\\*b\\[c\\]\\?\\\\}:e:*");
  EXPECT_EQ(l.namespace_entries_pattern("n*"), "{a\\*b\\[c\\]\\?\\\\}:e:n\\*:*");
}

}  // namespace
}  // namespace herald::cache
