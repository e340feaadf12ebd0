// RespReader: RESP2 bytes in, Reply trees out; robust to arbitrary splits of the
// stream, strict on garbage (protocol_error, then poisoned for good).
#include "redis/core/resp_reader.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace herald::redis {
namespace {

// Feeds everything at once and drains; fails the test on a protocol error.
std::vector<Reply> decode(const std::string& bytes) {
  RespReader reader;
  std::vector<Reply> out;
  EXPECT_TRUE(reader.feed(bytes.data(), bytes.size()));
  for (;;) {
    auto r = reader.next();
    EXPECT_TRUE(r) << "protocol error: " << reader.error_text();
    if (!r || !*r) break;
    out.push_back(std::move(**r));
  }
  return out;
}

// The first error the reader reports for `bytes`, or {} when it decodes cleanly.
boost::system::error_code decode_error(const std::string& bytes, RespReader& reader) {
  if (auto f = reader.feed(bytes.data(), bytes.size()); !f) return f.error();
  for (;;) {
    auto r = reader.next();
    if (!r) return r.error();
    if (!*r) return {};
  }
}

boost::system::error_code decode_error(const std::string& bytes) {
  RespReader reader;
  return decode_error(bytes, reader);
}

Reply decode_one(const std::string& bytes) {
  auto all = decode(bytes);
  EXPECT_EQ(all.size(), 1u) << "for " << bytes;
  return all.empty() ? Reply{} : all.front();
}

TEST(RespReader, Status) {
  EXPECT_EQ(decode_one("+OK\r\n"), Reply::make_status("OK"));
}

TEST(RespReader, ErrorIsAValue) {
  auto r = decode_one("-WRONGTYPE Operation against a key\r\n");
  EXPECT_TRUE(r.is_error());
  EXPECT_EQ(r.str, "WRONGTYPE Operation against a key");
}

TEST(RespReader, Integers) {
  EXPECT_EQ(decode_one(":0\r\n"), Reply::make_integer(0));
  EXPECT_EQ(decode_one(":-42\r\n"), Reply::make_integer(-42));
  EXPECT_EQ(decode_one(":9223372036854775807\r\n"), Reply::make_integer(9223372036854775807LL));
}

TEST(RespReader, BulkStrings) {
  EXPECT_EQ(decode_one("$3\r\nfoo\r\n"), Reply::make_string("foo"));
  EXPECT_EQ(decode_one("$0\r\n\r\n"), Reply::make_string(""));
  // Binary-safe: CR, LF and NUL inside the payload.
  std::string bin("a\r\n\0b", 5);
  EXPECT_EQ(decode_one("$5\r\n" + bin + "\r\n"), Reply::make_string(bin));
}

TEST(RespReader, NilBulkAndNilArray) {
  EXPECT_TRUE(decode_one("$-1\r\n").is_nil());
  EXPECT_TRUE(decode_one("*-1\r\n").is_nil());
}

TEST(RespReader, EmptyArray) {
  auto r = decode_one("*0\r\n");
  EXPECT_TRUE(r.is_array());
  EXPECT_TRUE(r.elements.empty());
}

TEST(RespReader, MixedArray) {
  auto r = decode_one("*5\r\n+OK\r\n:3\r\n$-1\r\n$2\r\nhi\r\n-ERR no\r\n");
  EXPECT_EQ(r,
            Reply::make_array({Reply::make_status("OK"), Reply::make_integer(3), Reply::make_nil(),
                               Reply::make_string("hi"), Reply::make_error("ERR no")}));
}

TEST(RespReader, NestedArrays) {
  // An XREAD-like shape: [[stream, [[id, [f, v]]]]], plus an empty and a nil array.
  auto r = decode_one(
      "*3\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n"
      "*0\r\n*-1\r\n");
  auto entry =
      Reply::make_array({Reply::make_string("1-0"),
                         Reply::make_array({Reply::make_string("f"), Reply::make_string("v")})});
  auto stream = Reply::make_array({Reply::make_string("s"), Reply::make_array({entry})});
  EXPECT_EQ(r, Reply::make_array({stream, Reply::make_array({}), Reply::make_nil()}));
}

TEST(RespReader, DeepNesting) {
  // Six levels: deeper than any reply Redis sends (streams need four).
  std::string bytes;
  for (int i = 0; i < 6; ++i) bytes += "*1\r\n";
  bytes += ":7\r\n";
  Reply r = decode_one(bytes);
  for (int i = 0; i < 6; ++i) {
    ASSERT_TRUE(r.is_array());
    ASSERT_EQ(r.elements.size(), 1u);
    Reply inner = r.elements[0];
    r = inner;
  }
  EXPECT_EQ(r, Reply::make_integer(7));
}

TEST(RespReader, ManyRepliesInOneFeed) {
  std::string bytes;
  for (int i = 0; i < 1000; ++i) {
    // Appended piecewise: `":" + std::to_string(i)` trips GCC 12's false -Wrestrict
    // at -O3 (GCC bug 105329).
    bytes += ':';
    bytes += std::to_string(i);
    bytes += "\r\n";
  }
  auto all = decode(bytes);
  ASSERT_EQ(all.size(), 1000u);
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(all[i], Reply::make_integer(i));
}

TEST(RespReader, ByteByByteFeedsGiveTheSameReplies) {
  const std::string bytes =
      "+OK\r\n-ERR x\r\n:12\r\n$5\r\nhello\r\n$-1\r\n*2\r\n*1\r\n:1\r\n$3\r\nabc\r\n*0\r\n";
  const auto expected = decode(bytes);
  ASSERT_EQ(expected.size(), 7u);
  RespReader reader;
  std::vector<Reply> got;
  for (char c : bytes) {
    ASSERT_TRUE(reader.feed(&c, 1));
    for (;;) {
      auto r = reader.next();
      ASSERT_TRUE(r) << reader.error_text();
      if (!*r) break;
      got.push_back(std::move(**r));
    }
  }
  EXPECT_EQ(got, expected);
}

TEST(RespReader, IncompleteReplyWaitsForMoreBytes) {
  RespReader reader;
  const std::string part1 = "*2\r\n$5\r\nhel";
  ASSERT_TRUE(reader.feed(part1.data(), part1.size()));
  auto r = reader.next();
  ASSERT_TRUE(r);
  EXPECT_FALSE(*r);
  const std::string part2 = "lo\r\n:1\r\n";
  ASSERT_TRUE(reader.feed(part2.data(), part2.size()));
  r = reader.next();
  ASSERT_TRUE(r);
  ASSERT_TRUE(*r);
  EXPECT_EQ(**r, Reply::make_array({Reply::make_string("hello"), Reply::make_integer(1)}));
  r = reader.next();
  ASSERT_TRUE(r);
  EXPECT_FALSE(*r);
}

TEST(RespReader, UnknownTypeByteIsProtocolError) {
  RespReader reader;
  EXPECT_EQ(decode_error("?bogus\r\n", reader), Errc::protocol_error);
  EXPECT_FALSE(reader.error_text().empty());
}

TEST(RespReader, GarbageAfterValidRepliesKeepsTheValidOnes) {
  RespReader reader;
  const std::string bytes = "+OK\r\n:1\r\n!x\r\n";
  ASSERT_TRUE(reader.feed(bytes.data(), bytes.size()));
  auto a = reader.next();
  ASSERT_TRUE(a && *a);
  EXPECT_EQ(**a, Reply::make_status("OK"));
  auto b = reader.next();
  ASSERT_TRUE(b && *b);
  EXPECT_EQ(**b, Reply::make_integer(1));
  auto c = reader.next();
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error(), Errc::protocol_error);
}

TEST(RespReader, BadLengthsAreProtocolErrors) {
  // Each of these is a corrupt stream, not a value. (hiredis 0.14 does not check the
  // CRLF after a bulk payload, so "$3\r\nfooXY" decodes as "foo": not asserted here.)
  for (const char* bytes : {"*-5x\r\n", "*-5\r\n", "*abc\r\n", "$-5\r\n", "$x\r\n", ":12a\r\n",
                            ":99999999999999999999\r\n"}) {
    EXPECT_EQ(decode_error(bytes), Errc::protocol_error) << "input: " << bytes;
  }
}

TEST(RespReader, ArrayLongerThanTheLimitIsRefused) {
  {
    RespReader reader(10);
    EXPECT_EQ(decode_error("*11\r\n", reader), Errc::protocol_error);
  }
  {
    RespReader reader(10);  // at the limit is fine (and incomplete: needs elements)
    EXPECT_EQ(decode_error("*10\r\n", reader), boost::system::error_code{});
  }
  {
    RespReader reader(10);  // the limit applies to nested arrays too
    EXPECT_EQ(decode_error("*1\r\n*11\r\n", reader), Errc::protocol_error);
  }
  // The default limit refuses lengths no server sends, without allocating them.
  EXPECT_EQ(decode_error("*2147483647\r\n"), Errc::protocol_error);
  EXPECT_EQ(decode_error("*9223372036854775807\r\n"), Errc::protocol_error);
}

TEST(RespReader, PoisonedAfterAnError) {
  RespReader reader;
  EXPECT_EQ(decode_error("?bogus\r\n", reader), Errc::protocol_error);
  // Valid bytes afterwards cannot resynchronise the stream.
  const std::string ok = "+OK\r\n";
  auto f = reader.feed(ok.data(), ok.size());
  if (f) {
    auto r = reader.next();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), Errc::protocol_error);
  } else {
    EXPECT_EQ(f.error(), Errc::protocol_error);
  }
  auto again = reader.next();
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error(), Errc::protocol_error);
}

}  // namespace
}  // namespace herald::redis
