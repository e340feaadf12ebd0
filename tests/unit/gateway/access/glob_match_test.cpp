// glob_match and valid_channel_name: shell-style globs over channel names (protocol.md
// sections 1 and 6), including the no-exponential-backtracking guarantee.
#include <herald/gateway/channel_rules.hpp>

#include <gtest/gtest.h>

#include <chrono>

namespace herald::gateway {
namespace {

TEST(GlobMatch, Literal) {
  EXPECT_TRUE(glob_match("admin", "admin"));
  EXPECT_FALSE(glob_match("admin", "admins"));
  EXPECT_FALSE(glob_match("admin", "admi"));
  EXPECT_FALSE(glob_match("admin", "Admin"));
  EXPECT_TRUE(glob_match("", ""));
  EXPECT_FALSE(glob_match("", "a"));
}

TEST(GlobMatch, StarMatchesAnyRunIncludingColon) {
  EXPECT_TRUE(glob_match("*", ""));
  EXPECT_TRUE(glob_match("*", "anything:at/all"));
  EXPECT_TRUE(glob_match("chat:*", "chat:1"));
  EXPECT_TRUE(glob_match("chat:*", "chat:"));
  EXPECT_TRUE(glob_match("chat:*", "chat:room:42"));  // `:` is matched by `*`
  EXPECT_FALSE(glob_match("chat:*", "chats:1"));
  EXPECT_TRUE(glob_match("*:42", "user:chat:42"));
  EXPECT_TRUE(glob_match("a*b*c", "aXXbYYc"));
  EXPECT_TRUE(glob_match("a*b*c", "abc"));
  EXPECT_FALSE(glob_match("a*b*c", "aXXbYY"));
  EXPECT_TRUE(glob_match("a**b", "ab"));
  EXPECT_TRUE(glob_match("*a", "aaa"));
  EXPECT_FALSE(glob_match("*a", "aab"));
}

TEST(GlobMatch, QuestionMarkMatchesExactlyOne) {
  EXPECT_TRUE(glob_match("room?", "room1"));
  EXPECT_TRUE(glob_match("room?", "room:"));
  EXPECT_FALSE(glob_match("room?", "room"));
  EXPECT_FALSE(glob_match("room?", "room12"));
  EXPECT_TRUE(glob_match("?*", "x"));
  EXPECT_FALSE(glob_match("?*", ""));
}

TEST(GlobMatch, Sets) {
  EXPECT_TRUE(glob_match("room[123]", "room2"));
  EXPECT_FALSE(glob_match("room[123]", "room4"));
  EXPECT_TRUE(glob_match("room[a-c]", "roomb"));
  EXPECT_FALSE(glob_match("room[a-c]", "roomd"));
  EXPECT_TRUE(glob_match("room[!a-c]", "roomd"));
  EXPECT_FALSE(glob_match("room[!a-c]", "roomb"));
  EXPECT_TRUE(glob_match("room[^0-9]", "roomx"));
  EXPECT_TRUE(glob_match("x[]]", "x]"));    // `]` first is a member
  EXPECT_TRUE(glob_match("x[a-]", "x-"));   // trailing `-` is a member
  EXPECT_TRUE(glob_match("x[[]", "x["));    // unusual, but shell-compatible
  EXPECT_TRUE(glob_match("x[ab", "x[ab"));  // unterminated: `[` is a literal
  EXPECT_FALSE(glob_match("x[ab", "xa"));
  EXPECT_TRUE(glob_match("[a-z]*:[0-9]", "chat:7"));
}

TEST(GlobMatch, NoExponentialBacktracking) {
  std::string pattern;
  for (int i = 0; i < 40; ++i) pattern += "a*";
  pattern += "b";
  std::string text(5000, 'a');
  auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(glob_match(pattern, text));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

TEST(ValidChannelName, AcceptsTheAllowedAlphabet) {
  EXPECT_TRUE(valid_channel_name("a"));
  EXPECT_TRUE(valid_channel_name("products"));
  EXPECT_TRUE(valid_channel_name("chat:room-1_a.b@c/d"));
  EXPECT_TRUE(valid_channel_name("ABCxyz0189"));
  EXPECT_TRUE(valid_channel_name(std::string(255, 'x')));
}

TEST(ValidChannelName, RejectsEmptyLongAndBadCharacters) {
  EXPECT_FALSE(valid_channel_name(""));
  EXPECT_FALSE(valid_channel_name(std::string(256, 'x')));
  for (std::string bad : std::vector<std::string>{"a b", "a*", "a?", "$sys", "a#b", "ä", "a\n",
                                                  "a,b", "a[1]", std::string("a\0b", 3)}) {
    EXPECT_FALSE(valid_channel_name(bad)) << bad;
  }
}

}  // namespace
}  // namespace herald::gateway
