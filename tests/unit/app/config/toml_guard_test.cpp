// find_toml_hazard: the pre-scan that keeps toml++ 3.3.0 away from its undefined
// behaviour on non-ASCII characters (inputs found by fuzz/config_fuzz.cpp), without
// rejecting valid TOML that has non-ASCII text in strings and comments.
#include "app/config/toml_guard.hpp"
#include "app/config/toml_config.hpp"

#include <gtest/gtest.h>

namespace herald::app::detail {
namespace {

std::size_t hazard_line(std::string_view text) {
  auto h = find_toml_hazard(text);
  return h ? h->line : 0;
}

TEST(TomlGuard, AcceptsNonAsciiInStringsAndComments) {
  for (std::string_view text : {
           "a = \"h\xC3\xA9llo\" # c\xC3\xB3mment \xC7\xB9\n",
           "a = 'lit \xC7\xB9'\n",
           "a = \"\"\"multi\n\xC7\xB9 line\"\"\"\n",
           "a = '''multi\n\xC7\xB9 line'''\n",
           "a = \"esc \\\" \xC7\xB9\"\n",
           "a = \"\"\"x\"\"\"\"\nb = '''y'''''\n# \xC7\xB9\n",
           "\"k\xC3\xA9y\" = 1\n",
           "\xEF\xBB\xBFlisten = \"a:1\"\n",  // UTF-8 byte-order mark
           "a = \"\"\"\\\n   ascii after the line-ending backslash \xC7\xB9\"\"\"\n",
           "a=\"\xC7\xB9\"\n",                      // compact key=value
           "a.\"\xC7\xB9\" = 1\n[t.'\xC7\xB9']\n",  // quoted key segments
           "a = [\n  \"\xC7\xB9\", # \xC7\xB9\n  '\xC7\xB9',\n]\n",
           "t = { x = \"\xC7\xB9\", y = [1, 2] }\n[[channel]]\nmatch = \"\xC7\xB9\"\n",
           "d = 1979-05-27 07:32:00Z # \xC7\xB9\n",
           "a = \"\"\"x \\\" \xC7\xB9\"\"\"\n",
       }) {
    EXPECT_EQ(hazard_line(text), 0u) << text;
  }
}

TEST(TomlGuard, RejectsNonAsciiOutsideStrings) {
  EXPECT_EQ(hazard_line("\xC7\xB9"), 1u);  // the fuzzer's input (U+01F9)
  EXPECT_EQ(hazard_line("\xCC\xAA"), 1u);  // marzer/tomlplusplus#295
  EXPECT_EQ(hazard_line("a = 1\n\xC7\xB9 = 2\n"), 2u);
  EXPECT_EQ(hazard_line("a = \"x\" \xC7\xB9\n"), 1u);
  EXPECT_EQ(hazard_line("a = '''x\ny''' \xC7\xB9\n"), 2u);
  EXPECT_EQ(hazard_line("a = \"unterminated\nb\xC7\xB9 = 1\n"), 2u);
  EXPECT_EQ(hazard_line("\xFF"), 1u);  // not even UTF-8
}

// toml++ scans a bare value up to a terminator, quotes included, classifying every
// character: a quote inside one does not start a string (a later fuzzer finding).
TEST(TomlGuard, QuotesInsideBareValuesDoNotStartStrings) {
  EXPECT_EQ(hazard_line("a = x=\"\xC2\xAD\"\n"), 1u);
  EXPECT_EQ(hazard_line("a = 1.\"\xC2\xAD\"\n"), 1u);
  EXPECT_EQ(hazard_line(std::string_view("is = -shbe0\0!\0\"x\0\xC2\xAD\0\"\n", 19)), 1u);
  EXPECT_EQ(hazard_line("a = 1979-05-27 0\"\xC2\xAD\"\n"), 1u);
  EXPECT_EQ(hazard_line("a = true\"\xC2\xAD\"\n"), 1u);
}

TEST(TomlGuard, EverythingAfterUnrecognisedTextIsSuspect) {
  EXPECT_EQ(hazard_line("a = 1 2\nb = \"\xC7\xB9\"\n"), 2u);
  EXPECT_EQ(hazard_line("a = \"\"\"x\"\"\"\"\"\"\n\"\xC7\xB9\"\n"), 2u);  // 6 closing quotes
  EXPECT_EQ(hazard_line("a = \"\"\"\"\"\"\nb = \"\xC7\xB9\"\n"), 0u);     // """""" is empty
}

TEST(TomlGuard, RejectsNonAsciiAfterLineEndingBackslash) {
  // marzer/tomlplusplus#190: valid TOML, but undefined behaviour in toml++ 3.3.0.
  auto h = find_toml_hazard("s = \"\"\"\\\n\xC2\xA7\"\"\"\n");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->line, 2u);
  EXPECT_NE(h->what.find("after a backslash"), std::string::npos);
  EXPECT_EQ(hazard_line("s = \"\"\"\\  \r\n\n  \xC2\xA7\"\"\"\n"), 3u);
  EXPECT_EQ(hazard_line("s = \"\"\"\\\xC2\xA7\"\"\"\n"), 1u);    // escaped non-ASCII
  EXPECT_EQ(hazard_line("s = \"\"\"\\  \xC2\xA7\"\"\"\n"), 1u);  // blanks, then non-ASCII
}

TEST(TomlGuard, ApplyTomlConfigReportsTheHazardAsInvalidToml) {
  ConfigDraft draft;
  auto e = apply_toml_config("listen = \"a:1\"\n\xC7\xB9\n", "h.toml", draft);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->exit_code, 2);
  EXPECT_EQ(e->message.rfind("h.toml:2: invalid TOML: non-ASCII", 0), 0u) << e->message;
}

}  // namespace
}  // namespace herald::app::detail
