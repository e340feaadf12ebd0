// base64url_decode: RFC 4648 test vectors in the URL-safe alphabet, and the strictness
// JWS needs (no padding, no whitespace, no standard alphabet, canonical tail bits).
#include "gateway/access/base64url.hpp"

#include "test_tokens.hpp"

#include <gtest/gtest.h>

namespace herald::gateway::detail {
namespace {

TEST(Base64url, DecodesRfc4648Vectors) {
  EXPECT_EQ(base64url_decode(""), "");
  EXPECT_EQ(base64url_decode("Zg"), "f");
  EXPECT_EQ(base64url_decode("Zm8"), "fo");
  EXPECT_EQ(base64url_decode("Zm9v"), "foo");
  EXPECT_EQ(base64url_decode("Zm9vYg"), "foob");
  EXPECT_EQ(base64url_decode("Zm9vYmE"), "fooba");
  EXPECT_EQ(base64url_decode("Zm9vYmFy"), "foobar");
}

TEST(Base64url, UsesTheUrlSafeAlphabet) {
  EXPECT_EQ(base64url_decode("-_8"), std::string("\xfb\xff", 2));
  EXPECT_FALSE(base64url_decode("+/8"));
}

TEST(Base64url, RoundTripsEveryByte) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  for (std::size_t n = 0; n <= all.size(); n += 7) {
    auto part = all.substr(0, n);
    EXPECT_EQ(base64url_decode(test::b64url(part)), part) << n;
  }
}

TEST(Base64url, RejectsPaddingWhitespaceAndBadLengths) {
  EXPECT_FALSE(base64url_decode("Zg=="));
  EXPECT_FALSE(base64url_decode("Zm8="));
  EXPECT_FALSE(base64url_decode("Zm9v\n"));
  EXPECT_FALSE(base64url_decode(" Zm9v"));
  EXPECT_FALSE(base64url_decode("Z"));      // 4n+1 characters encode nothing
  EXPECT_FALSE(base64url_decode("Zm9vY"));  // same
  EXPECT_FALSE(base64url_decode(std::string("Zm\0v", 4)));
}

TEST(Base64url, RejectsNonCanonicalTailBits) {
  EXPECT_FALSE(base64url_decode("Zh"));   // 'h' leaves non-zero low bits
  EXPECT_FALSE(base64url_decode("Zm9"));  // '9' leaves non-zero low bits
}

}  // namespace
}  // namespace herald::gateway::detail
