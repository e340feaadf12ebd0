// Reply helpers: typed accessors (as_string, as_integer incl. decimal bulk strings),
// equality, and the log rendering to_string().
#include <herald/redis/error.hpp>
#include <herald/redis/reply.hpp>

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace herald::redis {
namespace {

TEST(Reply, AsIntegerFromIntegerAndDecimalStrings) {
  EXPECT_EQ(Reply::make_integer(-5).as_integer(), -5);
  EXPECT_EQ(Reply::make_string("42").as_integer(), 42);
  EXPECT_EQ(Reply::make_string("-7").as_integer(), -7);
  EXPECT_EQ(Reply::make_string("9223372036854775807").as_integer(), 9223372036854775807LL);
}

TEST(Reply, AsIntegerRefusesEverythingElse) {
  EXPECT_FALSE(Reply::make_string("").as_integer());
  EXPECT_FALSE(Reply::make_string("4x").as_integer());
  EXPECT_FALSE(Reply::make_string(" 4").as_integer());
  EXPECT_FALSE(Reply::make_string("1.5").as_integer());
  EXPECT_FALSE(Reply::make_string("99999999999999999999").as_integer());  // overflow
  EXPECT_FALSE(Reply::make_nil().as_integer());
  EXPECT_FALSE(Reply::make_error("ERR 1").as_integer());
  EXPECT_FALSE(Reply::make_array({Reply::make_integer(1)}).as_integer());
}

TEST(Reply, AsString) {
  EXPECT_EQ(Reply::make_string("v").as_string(), "v");
  EXPECT_EQ(Reply::make_status("OK").as_string(), "OK");
  EXPECT_FALSE(Reply::make_error("ERR").as_string());
  EXPECT_FALSE(Reply::make_integer(1).as_string());
  EXPECT_FALSE(Reply::make_nil().as_string());
}

TEST(Reply, Predicates) {
  EXPECT_TRUE(Reply::make_nil().is_nil());
  EXPECT_TRUE(Reply{}.is_nil());
  EXPECT_TRUE(Reply::make_error("x").is_error());
  EXPECT_TRUE(Reply::make_array({}).is_array());
  EXPECT_TRUE(Reply::make_integer(0).is_integer());
  EXPECT_TRUE(Reply::make_status("OK").is_string());
  EXPECT_NE(Reply::make_status("OK"), Reply::make_string("OK"));
}

TEST(Reply, ToStringDocumentedExample) {
  auto r = Reply::make_array({Reply::make_status("OK"), Reply::make_integer(3), Reply::make_nil()});
  EXPECT_EQ(to_string(r), "[\"OK\", 3, nil]");
}

TEST(Reply, ToStringShowsEveryKind) {
  EXPECT_EQ(to_string(Reply::make_integer(-12)), "-12");
  EXPECT_EQ(to_string(Reply::make_nil()), "nil");
  EXPECT_EQ(to_string(Reply::make_array({})), "[]");
  EXPECT_NE(to_string(Reply::make_string("hello")).find("hello"), std::string::npos);
  EXPECT_NE(to_string(Reply::make_error("WRONGTYPE bad")).find("WRONGTYPE bad"), std::string::npos);
  const auto nested = to_string(
      Reply::make_array({Reply::make_array({Reply::make_string("a")}), Reply::make_integer(1)}));
  EXPECT_NE(nested.find("[["), std::string::npos) << nested;
  // Non-printable bytes must not break a log line.
  const auto bin = to_string(Reply::make_string(std::string("a\r\nb\0", 5)));
  EXPECT_EQ(bin.find('\n'), std::string::npos) << bin;
}

TEST(Errors, CategoryMessagesAreDistinct) {
  std::set<std::string> seen;
  for (int e = static_cast<int>(Errc::not_connected);
       e <= static_cast<int>(Errc::tls_closed_by_server); ++e) {
    auto ec = make_error_code(static_cast<Errc>(e));
    EXPECT_FALSE(ec.message().empty());
    EXPECT_TRUE(seen.insert(ec.message()).second) << ec.message();
  }
  boost::system::error_code ec = Errc::timeout;
  EXPECT_EQ(ec, Errc::timeout);
  EXPECT_EQ(&ec.category(), &error_category());
}

}  // namespace
}  // namespace herald::redis
