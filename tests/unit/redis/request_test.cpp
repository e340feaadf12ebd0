// Request: the exact RESP bytes of encoded commands (what goes on the wire), for
// strings, integers and binary arguments, one or many commands per request.
#include <herald/redis/request.hpp>

#include <gtest/gtest.h>

#include <climits>
#include <cstdint>
#include <list>
#include <string>
#include <vector>

namespace herald::redis {
namespace {

TEST(Request, EncodesOneCommand) {
  Request r;
  r.push("SET", "key", "value");
  EXPECT_EQ(r.payload(), "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n");
  EXPECT_EQ(r.size(), 1u);
  EXPECT_FALSE(r.empty());
}

TEST(Request, EncodesCommandWithoutArguments) {
  Request r;
  r.push("PING");
  EXPECT_EQ(r.payload(), "*1\r\n$4\r\nPING\r\n");
}

TEST(Request, AcceptsEveryStringKind) {
  const std::string s = "str";
  const std::string_view sv = "view";
  const char* c = "cstr";
  Request r;
  r.push("ECHO", s, sv, c, std::string("tmp"));
  EXPECT_EQ(r.payload(),
            "*5\r\n$4\r\nECHO\r\n$3\r\nstr\r\n$4\r\nview\r\n$4\r\ncstr\r\n$3\r\ntmp\r\n");
}

TEST(Request, EncodesIntegersAsDecimalBulkStrings) {
  Request r;
  r.push("X", 0, -1, 42u, std::int64_t{LLONG_MAX}, LLONG_MIN, std::size_t{7}, short{-3});
  EXPECT_EQ(r.payload(),
            "*8\r\n$1\r\nX\r\n$1\r\n0\r\n$2\r\n-1\r\n$2\r\n42\r\n"
            "$19\r\n9223372036854775807\r\n$20\r\n-9223372036854775808\r\n$1\r\n7\r\n"
            "$2\r\n-3\r\n");
}

TEST(Request, BinarySafeArguments) {
  const std::string bin("a\r\nb\0c", 6);
  Request r;
  r.push("SET", bin, "");
  std::string expected = "*3\r\n$3\r\nSET\r\n$6\r\n";
  expected += bin;
  expected += "\r\n$0\r\n\r\n";
  EXPECT_EQ(r.payload(), expected);
}

TEST(Request, SeveralCommandsAreConcatenated) {
  Request r;
  r.push("MULTI").push("INCR", "n").push("EXEC");
  EXPECT_EQ(r.size(), 3u);
  EXPECT_EQ(r.payload(),
            "*1\r\n$5\r\nMULTI\r\n*2\r\n$4\r\nINCR\r\n$1\r\nn\r\n*1\r\n$4\r\nEXEC\r\n");
}

TEST(Request, PushRangeWithStringsAndIntegers) {
  Request r;
  const std::vector<std::string> keys = {"a", "bb"};
  r.push_range("UNLINK", {}, keys);
  EXPECT_EQ(r.payload(), "*3\r\n$6\r\nUNLINK\r\n$1\r\na\r\n$2\r\nbb\r\n");

  Request r2;
  const std::list<int> nums = {1, -20};
  r2.push_range("SADD", {"s"}, nums);
  EXPECT_EQ(r2.payload(), "*4\r\n$4\r\nSADD\r\n$1\r\ns\r\n$1\r\n1\r\n$3\r\n-20\r\n");

  Request r3;
  const std::vector<std::string_view> none;
  r3.push_range("DEL", {"k1", "k2"}, none);
  EXPECT_EQ(r3.payload(), "*3\r\n$3\r\nDEL\r\n$2\r\nk1\r\n$2\r\nk2\r\n");
}

TEST(Request, ClearEmptiesTheRequest) {
  Request r;
  r.push("PING");
  r.clear();
  EXPECT_TRUE(r.empty());
  EXPECT_EQ(r.size(), 0u);
  EXPECT_EQ(r.payload(), "");
  r.push("PING");
  EXPECT_EQ(r.payload(), "*1\r\n$4\r\nPING\r\n");
}

TEST(Request, LargeArgumentLengthPrefix) {
  const std::string big(100000, 'x');
  Request r;
  r.push("SET", "k", big);
  EXPECT_EQ(r.payload(), "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$100000\r\n" + big + "\r\n");
}

}  // namespace
}  // namespace herald::redis
