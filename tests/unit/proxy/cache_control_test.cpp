// CacheControl, Vary, Surrogate-Key / Cache-Tag parsers and HTTP dates: table-driven,
// malformed inputs included.
#include "proxy/core/cache_control.hpp"
#include "proxy/core/field_lists.hpp"
#include "proxy/core/http_date.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace herald::proxy {
namespace {

using Opt = std::optional<std::int64_t>;

struct CcCase {
  const char* text;
  Opt max_age, s_maxage, swr, sie;
  bool no_store, no_cache, private_;
};

TEST(CacheControl, Table) {
  const std::vector<CcCase> cases = {
      {"", {}, {}, {}, {}, false, false, false},
      {"max-age=60", 60, {}, {}, {}, false, false, false},
      {"MAX-AGE=60", 60, {}, {}, {}, false, false, false},
      {"public, max-age=60, s-maxage=10", 60, 10, {}, {}, false, false, false},
      {"s-maxage=1, stale-while-revalidate=59", {}, 1, 59, {}, false, false, false},
      {"max-age=5, stale-if-error=300", 5, {}, {}, 300, false, false, false},
      {"no-store", {}, {}, {}, {}, true, false, false},
      {"no-cache", {}, {}, {}, {}, false, true, false},
      {"no-cache=\"set-cookie, foo\", max-age=3", 3, {}, {}, {}, false, true, false},
      {"private=\"x,y\"", {}, {}, {}, {}, false, false, true},
      {"max-age=\"30\"", 30, {}, {}, {}, false, false, false},
      {"max-age=abc", 0, {}, {}, {}, false, false, false},  // invalid: stale
      {"max-age=", 0, {}, {}, {}, false, false, false},
      {"max-age=-1", 0, {}, {}, {}, false, false, false},
      {"max-age=60, max-age=10", 10, {}, {}, {}, false, false, false},  // smallest wins
      {"max-age=99999999999999999999", std::int64_t{1} << 31, {}, {}, {}, false, false, false},
      {" , ,max-age = 7 ,", 7, {}, {}, {}, false, false, false},
      {"stale-while-revalidate", {}, {}, 0, {}, false, false, false},
      {"foo=\"a,max-age=5\", bar", {}, {}, {}, {}, false, false, false},  // comma in quotes
      {"\"unterminated, max-age=5", {}, {}, {}, {}, false, false, false},
      {"max-age=10\t,\tno-store", 10, {}, {}, {}, true, false, false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    auto cc = CacheControl::parse(c.text);
    EXPECT_EQ(cc.max_age, c.max_age);
    EXPECT_EQ(cc.s_maxage, c.s_maxage);
    EXPECT_EQ(cc.stale_while_revalidate, c.swr);
    EXPECT_EQ(cc.stale_if_error, c.sie);
    EXPECT_EQ(cc.no_store, c.no_store);
    EXPECT_EQ(cc.no_cache, c.no_cache);
    EXPECT_EQ(cc.private_, c.private_);
  }
}

TEST(CacheControl, SurrogateTargets) {
  auto sc = CacheControl::parse_surrogate("max-age=60;herald, no-store;other, max-age=5;cdn");
  EXPECT_EQ(sc.max_age, 60);
  EXPECT_FALSE(sc.no_store);
  sc = CacheControl::parse_surrogate("max-age=30, stale-if-error=100");
  EXPECT_EQ(sc.max_age, 30);
  EXPECT_EQ(sc.stale_if_error, 100);
  // A plain Cache-Control parse does not treat ';' specially: "60;x" is not digits.
  EXPECT_EQ(CacheControl::parse("max-age=60;x").max_age, 0);
}

TEST(Vary, Parse) {
  auto v = parse_vary("Accept-Encoding, accept-language ,ACCEPT-ENCODING");
  EXPECT_FALSE(v.star);
  EXPECT_EQ(v.names, (std::vector<std::string>{"accept-encoding", "accept-language"}));
  EXPECT_TRUE(parse_vary("accept, *").star);
  EXPECT_TRUE(parse_vary("").names.empty());
  EXPECT_EQ(parse_vary("bad name, ok, (x)").names, (std::vector<std::string>{"ok"}));
  EXPECT_EQ(parse_vary(",,,").names.size(), 0u);
}

TEST(Tags, SurrogateKeyIsSpaceSeparated) {
  EXPECT_EQ(parse_surrogate_keys("products  product:42\tinventory products"),
            (std::vector<std::string>{"products", "product:42", "inventory"}));
  EXPECT_TRUE(parse_surrogate_keys("   ").empty());
  EXPECT_EQ(parse_surrogate_keys("a,b c"), (std::vector<std::string>{"c"}));  // ',' not in tags
}

TEST(Tags, CacheTagIsCommaSeparated) {
  EXPECT_EQ(parse_cache_tags("products, product:42 ,inventory"),
            (std::vector<std::string>{"products", "product:42", "inventory"}));
  EXPECT_EQ(parse_cache_tags("a b, c"), (std::vector<std::string>{"c"}));  // space inside: dropped
  EXPECT_TRUE(parse_cache_tags(",,").empty());
  EXPECT_TRUE(parse_cache_tags(std::string(257, 'x')).empty());
  EXPECT_EQ(parse_cache_tags(std::string(256, 'x')).size(), 1u);
  EXPECT_TRUE(parse_cache_tags("\x01\x7f").empty());
}

TEST(Tags, Merge) {
  std::vector<std::string> tags{"a", "b"};
  merge_tags(tags, {"b", "c", "bad tag"});
  EXPECT_EQ(tags, (std::vector<std::string>{"a", "b", "c"}));
}

TEST(HttpDate, ThreeForms) {
  constexpr std::int64_t t = 784111777;  // Sun, 06 Nov 1994 08:49:37 GMT
  EXPECT_EQ(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), t);
  EXPECT_EQ(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), t);
  EXPECT_EQ(parse_http_date("Sun Nov  6 08:49:37 1994"), t);
  EXPECT_EQ(format_http_date(t), "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(format_http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
  EXPECT_EQ(parse_http_date(format_http_date(1'700'000'000)), 1'700'000'000);
}

TEST(HttpDate, Malformed) {
  for (const char* bad :
       {"", "0", "-1", "Sun, 06 Nov 1994 08:49:37", "Sun, 6 Nov 1994 08:49:37 GMT",
        "Sun, 06 Foo 1994 08:49:37 GMT", "Sun, 06 Nov 1994 25:49:37 GMT",
        "Sun, 32 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 08:49:37 GMT x",
        "S, 06 Nov 1994 08:49:37 GMT", "Sun Nov 6 08:49:37 1994"}) {
    SCOPED_TRACE(bad);
    EXPECT_FALSE(parse_http_date(bad).has_value());
  }
}

}  // namespace
}  // namespace herald::proxy
