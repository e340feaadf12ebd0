// The cache's sans-io pieces: CacheKey (parameter order independence and a hash
// that never changes), the CacheEntry envelope (round trip, strict rejection of
// malformed bytes) and L1Store (LRU eviction by entries and by bytes, replacement,
// prefix erase).
#include <herald/cache/cache_key.hpp>

#include "cache/cache_entry.hpp"
#include "cache/l1_store.hpp"

#include <gtest/gtest.h>

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace herald::cache {
namespace {

// ---------------------------------------------------------------- CacheKey

TEST(CacheKey, PlainKeyHasNoHash) {
  EXPECT_EQ(CacheKey("products").entity("product").id(42).str(), "products:product:42");
  EXPECT_EQ(CacheKey("products").entity("product").id("sku-1").str(), "products:product:sku-1");
  EXPECT_EQ(CacheKey("ns").str(), "ns");
}

TEST(CacheKey, ParamsAreOrderIndependent) {
  const std::string a =
      CacheKey("ns").entity("product").id(42).param("page", "1").param("q", "x").str();
  const std::string b =
      CacheKey("ns").entity("product").id(42).param("q", "x").param("page", "1").str();
  EXPECT_EQ(a, b);
  EXPECT_TRUE(a.starts_with("ns:product:42:")) << a;
  EXPECT_EQ(a.size(), std::string("ns:product:42:").size() + 16) << a;  // 16 hex digits
}

TEST(CacheKey, HashIsStable) {
  // Computed once from this implementation (XXH3-64 over "name=value\0" in name
  // order). A change here changes every cached key in production: all caches miss.
  EXPECT_EQ(CacheKey("ns").entity("product").id(42).param("page", "1").param("q", "x").str(),
            "ns:product:42:74af9e3f7fbd4223");
}

TEST(CacheKey, DifferentParamsGiveDifferentKeys) {
  auto key = [](std::vector<std::pair<std::string, std::string>> params) {
    CacheKey k("ns");
    k.entity("e").id(1);
    for (auto& [n, v] : params) k.param(n, v);
    return k.str();
  };
  EXPECT_NE(key({{"page", "1"}}), key({{"page", "2"}}));
  EXPECT_NE(key({{"page", "1"}}), key({{"Page", "1"}}));
  // Name/value boundaries are part of the hash input.
  EXPECT_NE(key({{"a", "bc"}}), key({{"a", "b"}, {"c", ""}}));
  EXPECT_NE(key({{"ab", "c"}}), key({{"a", "bc"}}));
  EXPECT_NE(key({{"a", ""}}), key({}));
  // The same name twice: the last value wins, as for a query-string map.
  CacheKey twice("ns");
  twice.entity("e").id(1).param("page", "1").param("page", "2");
  EXPECT_EQ(twice.str(), key({{"page", "2"}}));
}

TEST(CacheKey, NamespaceOf) {
  EXPECT_EQ(CacheKey::namespace_of("products:product:42"), "products");
  EXPECT_EQ(CacheKey::namespace_of(CacheKey("n").entity("e").param("a", "b").str()), "n");
  EXPECT_EQ(CacheKey::namespace_of("plain"), "plain");
}

// ---------------------------------------------------------------- CacheEntry

CacheEntry sample_entry() {
  CacheEntry e;
  e.stamp = "0123456789abcdef";
  e.created_ms = 1'700'000'000'000;
  e.expires_ms = 1'700'000'060'000;
  e.flags = CacheEntry::kStale;
  e.ns_version = "7";
  e.tags = {{"products", "3"}, {"products:42", "0"}, {"with space", "12"}};
  e.payload = std::string("line1\nline2\n\0binary\xff", 20);
  return e;
}

void expect_same(const CacheEntry& a, const CacheEntry& b) {
  EXPECT_EQ(a.stamp, b.stamp);
  EXPECT_EQ(a.created_ms, b.created_ms);
  EXPECT_EQ(a.expires_ms, b.expires_ms);
  EXPECT_EQ(a.flags, b.flags);
  EXPECT_EQ(a.ns_version, b.ns_version);
  EXPECT_EQ(a.tags, b.tags);
  EXPECT_EQ(a.payload, b.payload);
}

TEST(CacheEntry, RoundTrip) {
  const CacheEntry e = sample_entry();
  const std::string bytes = e.encode();
  EXPECT_TRUE(bytes.starts_with("HC1 0123456789abcdef 1700000000000 1700000060000 4 7 3\n"))
      << bytes;
  auto parsed = CacheEntry::parse(bytes);
  ASSERT_TRUE(parsed.has_value());
  expect_same(*parsed, e);
  EXPECT_TRUE(parsed->stale());
  EXPECT_FALSE(parsed->negative());
  EXPECT_FALSE(parsed->tombstone());
  EXPECT_EQ(parsed->encode(), bytes);
}

TEST(CacheEntry, RoundTripMinimal) {
  CacheEntry e;
  e.stamp = "s";
  e.flags = CacheEntry::kNegative | CacheEntry::kTombstone;
  auto parsed = CacheEntry::parse(e.encode());
  ASSERT_TRUE(parsed.has_value());
  expect_same(*parsed, e);
  EXPECT_TRUE(parsed->negative());
  EXPECT_TRUE(parsed->tombstone());
  EXPECT_EQ(parsed->payload, "");
}

std::vector<std::string> malformed_envelopes() {
  return {
      "",
      "HC1 s 1 2 0 0 0",                               // no newline after the header
      "HC2 s 1 2 0 0 0\n",                             // wrong magic
      "hc1 s 1 2 0 0 0\n",                             //
      "HC1  1 2 0 0 0\n",                              // empty stamp
      "HC1 s x 2 0 0 0\n",                             // non-numeric created
      "HC1 s 1 2x 0 0 0\n",                            // trailing garbage in a number
      "HC1 s 1 2 -1 0 0\n",                            // negative flags
      "HC1 s 1 2 8 0 0\n",                             // unknown flag bit
      "HC1 s 1 2 0 0 -1\n",                            // negative tag count
      "HC1 s 1 2 0 0 1025\n",                          // too many tags
      "HC1 s 1 2 0 0 1\n",                             // a tag line missing
      "HC1 s 1 2 0 0 2\n1 a\n",                        // one of two tag lines missing
      "HC1 s 1 2 0 0 1\n1 a",                          // tag line without its newline
      "HC1 s 1 2 0 0 1\n1\n",                          // tag line without a tag
      "HC1 s 1 2 0 0 1\n1 \n",                         // empty tag
      "HC1 s 1 2 0 0 1\n 1\n",                         // empty version
      "HC1 s 1 2 0 0 0 extra\n",                       // extra header field
      "HC1 s 1 2 0 0\n",                               // missing field
      "HC1 s 1 2 0  0\n",                              // empty ns version
      "HC1 s 99999999999999999999 2 0 0 0\n",          // out of range
      "HC1 " + std::string(65, 'a') + " 1 2 0 0 0\n",  // stamp too long
      "HC1 s 1 2 0 " + std::string(65, '1') + " 0\n",  // ns version too long
  };
}

TEST(CacheEntry, RejectsMalformed) {
  for (const auto& b : malformed_envelopes())
    EXPECT_FALSE(CacheEntry::parse(b).has_value()) << "'" << b << "'";
  // And the well-formed neighbour of the list above parses.
  EXPECT_TRUE(CacheEntry::parse("HC1 s 1 2 0 0 1\n1 a\npayload").has_value());
}

// The envelope's numbers are read by a hand-written parser (it runs on every L2
// read); std::from_chars's int64 grammar is the reference it must match exactly.
TEST(CacheEntry, NumbersFollowFromChars) {
  const std::vector<std::string> fields = {"0",
                                           "-0",
                                           "7",
                                           "-7",
                                           "1700000060000",
                                           "123456789012345678",
                                           "-123456789012345678",
                                           "1234567890123456789",
                                           "9223372036854775807",
                                           "-9223372036854775808",
                                           "9223372036854775808",
                                           "-9223372036854775809",
                                           "18446744073709551615",
                                           "18446744073709551616",
                                           "99999999999999999999",
                                           "000000000000000000000000000042",
                                           "-00000000000000000000000000",
                                           "",
                                           "-",
                                           "--1",
                                           "+1",
                                           "1-",
                                           "1e3",
                                           "0x10",
                                           "12a",
                                           "\xff"
                                           "1",
                                           std::string("1\0"
                                                       "2",
                                                       3) /* a NUL inside */};
  for (const auto& f : fields) {
    std::int64_t expected = 0;
    auto [end, ec] = std::from_chars(f.data(), f.data() + f.size(), expected);
    const bool valid = !f.empty() && ec == std::errc{} && end == f.data() + f.size();
    auto e = CacheEntry::parse("HC1 s " + f + " 2 0 0 0\n");
    EXPECT_EQ(e.has_value(), valid) << "'" << f << "'";
    if (e && valid) {
      EXPECT_EQ(e->created_ms, expected) << "'" << f << "'";
    }
  }
}

TEST(CacheEntryView, ViewsTheBytesParseCopies) {
  const std::string bytes = sample_entry().encode();
  auto v = CacheEntryView::parse(bytes);
  ASSERT_TRUE(v.has_value());
  expect_same(v->to_entry(), *CacheEntry::parse(bytes));
  // Views into `bytes`, not copies.
  EXPECT_EQ(static_cast<const void*>(v->stamp.data()), static_cast<const void*>(bytes.data() + 4));
  EXPECT_EQ(v->payload, sample_entry().payload);
  EXPECT_EQ(static_cast<const void*>(v->payload.data()),
            static_cast<const void*>(bytes.data() + v->payload_offset));
  EXPECT_EQ(bytes.substr(v->payload_offset), sample_entry().payload);
  EXPECT_EQ(v->ntags, 3u);
  EXPECT_TRUE(v->stale());
  std::vector<std::pair<std::string, std::string>> tags;
  EXPECT_TRUE(v->each_tag([&](std::string_view tag, std::string_view version) {
    tags.emplace_back(tag, version);
    return true;
  }));
  EXPECT_EQ(tags, sample_entry().tags);
  int seen = 0;  // f returning false stops the walk
  EXPECT_FALSE(v->each_tag([&](std::string_view, std::string_view) { return ++seen < 2; }));
  EXPECT_EQ(seen, 2);
}

TEST(CacheEntryView, RejectsWhatParseRejects) {
  for (const auto& b : malformed_envelopes())
    EXPECT_FALSE(CacheEntryView::parse(b).has_value()) << "'" << b << "'";
  auto v = CacheEntryView::parse("HC1 s 1 2 0 0 1\n1 a\npayload");
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->payload, "payload");
  EXPECT_EQ(v->payload_offset, 20u);
  EXPECT_EQ(v->tag_lines, "1 a\n");
}

TEST(CacheEntry, ValidTag) {
  EXPECT_TRUE(valid_tag("products"));
  EXPECT_TRUE(valid_tag("with space"));
  EXPECT_FALSE(valid_tag(""));
  EXPECT_FALSE(valid_tag("a\nb"));
  EXPECT_TRUE(valid_tag(std::string(1024, 't')));
  EXPECT_FALSE(valid_tag(std::string(1025, 't')));
}

TEST(CacheEntry, StampsAreRandomHex) {
  const std::string a = new_stamp(), b = new_stamp();
  EXPECT_NE(a, b);
  for (const auto& s : {a, b}) {
    EXPECT_FALSE(s.empty());
    EXPECT_LE(s.size(), 16u);
    EXPECT_EQ(s.find_first_not_of("0123456789abcdef"), std::string::npos) << s;
  }
}

// ---------------------------------------------------------------- L1Store

L1Entry value_entry(std::string v) {
  L1Entry e;
  e.value = std::move(v);
  return e;
}

TEST(L1Store, FindPutErase) {
  L1Store l1(10, 1 << 20);
  EXPECT_EQ(l1.find("a"), nullptr);
  l1.put("a", value_entry("1"));
  ASSERT_NE(l1.find("a"), nullptr);
  EXPECT_EQ(l1.find("a")->value, "1");
  EXPECT_EQ(l1.size(), 1u);
  EXPECT_GT(l1.bytes(), 0u);
  EXPECT_TRUE(l1.erase("a"));
  EXPECT_FALSE(l1.erase("a"));
  EXPECT_EQ(l1.find("a"), nullptr);
  EXPECT_EQ(l1.size(), 0u);
  EXPECT_EQ(l1.bytes(), 0u);
}

TEST(L1Store, PutReplacesWithoutDoubleCounting) {
  L1Store l1(10, 1 << 20);
  l1.put("a", value_entry(std::string(100, 'x')));
  const std::size_t one = l1.bytes();
  l1.put("a", value_entry(std::string(100, 'y')));
  EXPECT_EQ(l1.size(), 1u);
  EXPECT_EQ(l1.bytes(), one);
  EXPECT_EQ(l1.find("a")->value, std::string(100, 'y'));
  l1.put("a", value_entry(std::string(300, 'z')));
  EXPECT_EQ(l1.bytes(), one + 200);
  L1Entry negative;  // value nullopt
  l1.put("a", negative);
  EXPECT_FALSE(l1.find("a")->value.has_value());
  EXPECT_EQ(l1.bytes(), one - 100);
}

TEST(L1Store, EvictsLeastRecentlyUsedByEntries) {
  L1Store l1(3, 1 << 20);
  l1.put("a", value_entry("1"));
  l1.put("b", value_entry("2"));
  l1.put("c", value_entry("3"));
  ASSERT_NE(l1.find("a"), nullptr);  // a is now the most recently used
  l1.put("d", value_entry("4"));     // evicts b, the least recently used
  EXPECT_EQ(l1.size(), 3u);
  EXPECT_EQ(l1.find("b"), nullptr);
  EXPECT_NE(l1.find("a"), nullptr);
  EXPECT_NE(l1.find("c"), nullptr);
  EXPECT_NE(l1.find("d"), nullptr);
  // The finds above used a, c, d in that order; replacing c uses it again, so a is
  // now the least recently used.
  l1.put("c", value_entry("33"));
  l1.put("e", value_entry("5"));
  EXPECT_EQ(l1.find("a"), nullptr);
  EXPECT_EQ(l1.find("c")->value, "33");
}

TEST(L1Store, EvictsLeastRecentlyUsedByBytes) {
  L1Store probe(10, 1 << 20);
  probe.put("k0", value_entry(std::string(1000, 'x')));
  const std::size_t per = probe.bytes();  // the cost of one such entry

  L1Store l1(1000, 3 * per);  // room for exactly three
  for (int i = 0; i < 3; ++i) l1.put("k" + std::to_string(i), value_entry(std::string(1000, 'x')));
  EXPECT_EQ(l1.size(), 3u);
  EXPECT_EQ(l1.bytes(), 3 * per);
  l1.find("k0");
  l1.put("k3", value_entry(std::string(1000, 'x')));
  EXPECT_EQ(l1.size(), 3u);
  EXPECT_LE(l1.bytes(), 3 * per);
  EXPECT_EQ(l1.find("k1"), nullptr);
  EXPECT_NE(l1.find("k0"), nullptr);
  // One big entry pushes out several small ones.
  l1.put("big", value_entry(std::string(2000, 'x')));
  EXPECT_LE(l1.bytes(), 3 * per);
  EXPECT_NE(l1.find("big"), nullptr);
  EXPECT_EQ(l1.size(), 2u);
}

TEST(L1Store, EntryLargerThanTheWholeStoreIsNotKept) {
  L1Store l1(10, 2000);
  l1.put("a", value_entry("small"));
  l1.put("b", value_entry(std::string(5000, 'x')));
  EXPECT_EQ(l1.find("b"), nullptr);
  EXPECT_NE(l1.find("a"), nullptr);  // nothing was evicted for it
  // Replacing an entry by a too-large one drops the old copy (it is outdated).
  l1.put("a", value_entry(std::string(5000, 'x')));
  EXPECT_EQ(l1.find("a"), nullptr);
  EXPECT_EQ(l1.bytes(), 0u);
}

TEST(L1Store, ZeroEntriesDisablesIt) {
  L1Store l1(0, 1 << 20);
  l1.put("a", value_entry("1"));
  EXPECT_EQ(l1.find("a"), nullptr);
  EXPECT_EQ(l1.size(), 0u);
}

TEST(L1Store, ErasePrefixAndClear) {
  L1Store l1(100, 1 << 20);
  for (const char* k : {"ns:a", "ns:b", "ns2:a", "nsx", "other:ns:a"}) l1.put(k, value_entry(k));
  EXPECT_EQ(l1.erase_prefix("ns:"), 2u);
  EXPECT_EQ(l1.find("ns:a"), nullptr);
  EXPECT_EQ(l1.find("ns:b"), nullptr);
  EXPECT_NE(l1.find("ns2:a"), nullptr);
  EXPECT_NE(l1.find("nsx"), nullptr);
  EXPECT_NE(l1.find("other:ns:a"), nullptr);
  EXPECT_EQ(l1.size(), 3u);
  EXPECT_EQ(l1.erase_prefix("none:"), 0u);
  l1.clear();
  EXPECT_EQ(l1.size(), 0u);
  EXPECT_EQ(l1.bytes(), 0u);
  l1.put("again", value_entry("1"));  // usable after clear
  EXPECT_NE(l1.find("again"), nullptr);
}

TEST(L1Store, ManyEntriesKeepsAccountsExact) {
  L1Store l1(500, 1 << 30);
  for (int i = 0; i < 2000; ++i)
    l1.put("k" + std::to_string(i % 700), value_entry(std::to_string(i)));
  EXPECT_EQ(l1.size(), 500u);
  std::size_t erased = l1.erase_prefix("k");
  EXPECT_EQ(erased, 500u);
  EXPECT_EQ(l1.bytes(), 0u);
}

}  // namespace
}  // namespace herald::cache
