// AdminSessionCodec: issued cookies verify until they expire; any change to the name,
// the expiry or the signature, another key, and malformed values are refused; the
// Cookie header parser finds the one cookie.
#include "gateway/access/admin_session_codec.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace herald::gateway {
namespace {

constexpr std::int64_t now = 1'800'000'000;

TEST(AdminSessionCodec, IssuedCookieVerifiesUntilExpiry) {
  AdminSessionCodec codec("key");
  std::string cookie = codec.issue("password", now + 60);
  auto s = codec.verify(cookie, now);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->admin, "password");
  EXPECT_EQ(s->expires_at, now + 60);
  EXPECT_TRUE(codec.verify(cookie, now + 59));
  EXPECT_FALSE(codec.verify(cookie, now + 60));  // expiry is exclusive
  EXPECT_FALSE(codec.verify(cookie, now + 3600));
}

TEST(AdminSessionCodec, AnyNameIsCarriedExactly) {
  AdminSessionCodec codec("key");
  std::string name = "jwt:a.b;c=d \"\n\xff";
  auto s = codec.verify(codec.issue(name, now + 1), now);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->admin, name);
}

TEST(AdminSessionCodec, TamperingIsRefused) {
  AdminSessionCodec codec("key");
  const std::string cookie = codec.issue("password", now + 60);
  for (std::size_t i = 0; i < cookie.size(); ++i) {
    std::string t = cookie;
    t[i] = t[i] == '0' ? '1' : '0';
    EXPECT_FALSE(codec.verify(t, now)) << "byte " << i;
  }
  // A later expiry with the old signature.
  auto dot = cookie.find('.');
  auto dot2 = cookie.find('.', dot + 1);
  std::string later =
      cookie.substr(0, dot + 1) + std::to_string(now + 999999) + cookie.substr(dot2);
  EXPECT_FALSE(codec.verify(later, now));
  EXPECT_FALSE(AdminSessionCodec("other key").verify(cookie, now));
}

TEST(AdminSessionCodec, MalformedValuesAreRefused) {
  AdminSessionCodec codec("key");
  for (std::string_view bad :
       {"", ".", "..", "...", "abc", "61.1.", ".1.00", "zz.1.00", "61..00", "61.x.00", "61.1.zz",
        "6.1.00", "61.-1.00", "61.99999999999999999999999.00"}) {
    EXPECT_FALSE(codec.verify(bad, now)) << bad;
  }
  EXPECT_FALSE(codec.verify(std::string(100000, 'a'), now));
  EXPECT_THROW(AdminSessionCodec(""), std::invalid_argument);
  EXPECT_THROW((void)codec.issue("", now), std::invalid_argument);
  EXPECT_THROW((void)codec.issue(std::string(300, 'a'), now), std::invalid_argument);
}

TEST(AdminSessionCodec, FindsTheCookie) {
  using C = AdminSessionCodec;
  EXPECT_EQ(C::find_cookie("herald_admin=abc", "herald_admin"), "abc");
  EXPECT_EQ(C::find_cookie("a=1; herald_admin=abc; b=2", "herald_admin"), "abc");
  EXPECT_EQ(C::find_cookie("a=1;herald_admin=\"abc\"", "herald_admin"), "abc");
  EXPECT_EQ(C::find_cookie("xherald_admin=abc", "herald_admin"), "");
  EXPECT_EQ(C::find_cookie("herald_admin", "herald_admin"), "");
  EXPECT_EQ(C::find_cookie(";;; =; herald_admin=", "herald_admin"), "");
  EXPECT_EQ(C::find_cookie("", "herald_admin"), "");
}

}  // namespace
}  // namespace herald::gateway
