// JwtVerifier: valid HS256/RS256 tokens, every rejection path of the JwtError enum,
// the algorithm-confusion attacks, and claim parsing.
#include <herald/gateway/jwt.hpp>

#include "test_tokens.hpp"

#include <gtest/gtest.h>

namespace herald::gateway {
namespace {

using test::b64url;
using test::hs256_token;
using test::rs256_token;

constexpr std::int64_t now = 1'700'000'000;
const std::string hs_header = R"({"alg":"HS256","typ":"JWT"})";
const std::string rs_header = R"({"alg":"RS256","typ":"JWT"})";
const std::string secret = "a-32-byte-secret-for-hs256-tests";

std::string payload(std::string_view extra = "") {
  return R"({"sub":"42","exp":1700000100)" + std::string(extra) + "}";
}

// One 2048-bit key for the whole binary: generating it is the slowest step here.
EVP_PKEY* rsa() {
  static test::Pkey key = test::rsa_key(2048);
  return key.get();
}

JwtVerifier hs() {
  return JwtVerifier::hs256(secret).value();
}
JwtVerifier rs() {
  return JwtVerifier::rs256(test::pem(rsa())).value();
}

boost::system::error_code error_of(const boost::system::result<JwtClaims>& r) {
  return r ? boost::system::error_code{} : r.error();
}

TEST(JwtVerifier, AcceptsValidHs256) {
  auto claims = hs().verify(hs256_token(hs_header, payload(), secret), now);
  ASSERT_TRUE(claims) << claims.error().message();
  EXPECT_EQ(claims->sub, "42");
  EXPECT_EQ(claims->exp, 1700000100);
  EXPECT_TRUE(claims->roles.empty());
  EXPECT_TRUE(claims->channels.empty());
}

TEST(JwtVerifier, AcceptsValidRs256) {
  auto claims = rs().verify(rs256_token(rs_header, payload(R"(,"roles":["admin"])"), rsa()), now);
  ASSERT_TRUE(claims) << claims.error().message();
  EXPECT_EQ(claims->sub, "42");
  EXPECT_EQ(claims->roles, std::vector<std::string>{"admin"});
}

TEST(JwtVerifier, HeaderWithoutTypIsFine) {
  EXPECT_TRUE(hs().verify(hs256_token(R"({"alg":"HS256"})", payload(), secret), now));
}

TEST(JwtVerifier, RejectsExpired) {
  auto token = hs256_token(hs_header, R"({"sub":"42","exp":1699999999})", secret);
  EXPECT_EQ(error_of(hs().verify(token, now)), JwtError::expired);
}

TEST(JwtVerifier, ExpEqualToNowIsExpired) {
  auto token = hs256_token(hs_header, R"({"sub":"42","exp":1700000000})", secret);
  EXPECT_EQ(error_of(hs().verify(token, now)), JwtError::expired);
  EXPECT_TRUE(hs().verify(token, now - 1));
}

TEST(JwtVerifier, RejectsMissingExp) {
  auto token = hs256_token(hs_header, R"({"sub":"42"})", secret);
  EXPECT_EQ(error_of(hs().verify(token, now)), JwtError::expired);
}

TEST(JwtVerifier, HonoursNbf) {
  auto future = hs256_token(hs_header, payload(R"(,"nbf":1700000001)"), secret);
  EXPECT_EQ(error_of(hs().verify(future, now)), JwtError::not_yet_valid);
  auto present = hs256_token(hs_header, payload(R"(,"nbf":1700000000)"), secret);
  EXPECT_TRUE(hs().verify(present, now));
  auto past = hs256_token(hs_header, payload(R"(,"nbf":1600000000)"), secret);
  EXPECT_TRUE(hs().verify(past, now));
}

TEST(JwtVerifier, AcceptsFloatAndHugeNumericDates) {
  auto fractional = hs256_token(hs_header, R"({"sub":"42","exp":1700000000.5})", secret);
  EXPECT_EQ(error_of(hs().verify(fractional, now)), JwtError::expired);  // floored
  auto huge = hs256_token(hs_header, R"({"sub":"42","exp":1e300})", secret);
  EXPECT_TRUE(hs().verify(huge, now));
  auto unsigned_max = hs256_token(hs_header, R"({"sub":"42","exp":18446744073709551615})", secret);
  EXPECT_TRUE(hs().verify(unsigned_max, now));
}

TEST(JwtVerifier, RejectsNonNumericDates) {
  for (std::string p :
       {R"({"sub":"42","exp":"1800000000"})", R"({"sub":"42","exp":true})",
        R"({"sub":"42","exp":1e400})", R"({"sub":"42","exp":1800000000,"nbf":"0"})"}) {
    EXPECT_EQ(error_of(hs().verify(hs256_token(hs_header, p, secret), now)), JwtError::malformed)
        << p;
  }
}

TEST(JwtVerifier, RejectsBadSignature) {
  auto token = hs256_token(hs_header, payload(), "another secret entirely");
  EXPECT_EQ(error_of(hs().verify(token, now)), JwtError::bad_signature);
  auto other = test::rsa_key(2048);
  EXPECT_EQ(error_of(rs().verify(rs256_token(rs_header, payload(), other.get()), now)),
            JwtError::bad_signature);
}

TEST(JwtVerifier, RejectsTamperedPayload) {
  auto token = hs256_token(hs_header, payload(), secret);
  auto dot1 = token.find('.');
  auto dot2 = token.rfind('.');
  std::string forged =
      token.substr(0, dot1 + 1) + b64url(R"({"sub":"1","exp":1700000100})") + token.substr(dot2);
  EXPECT_EQ(error_of(hs().verify(forged, now)), JwtError::bad_signature);

  auto rtoken = rs256_token(rs_header, payload(), rsa());
  std::string rforged = rtoken.substr(0, rtoken.find('.') + 1) +
                        b64url(R"({"sub":"1","exp":1700000100})") +
                        rtoken.substr(rtoken.rfind('.'));
  EXPECT_EQ(error_of(rs().verify(rforged, now)), JwtError::bad_signature);
}

TEST(JwtVerifier, RejectsTruncatedOrEmptySignature) {
  auto token = hs256_token(hs_header, payload(), secret);
  // 43 characters encode the 32-byte MAC; 40 still decode (to 30 bytes).
  EXPECT_EQ(error_of(hs().verify(token.substr(0, token.size() - 3), now)), JwtError::bad_signature);
  EXPECT_EQ(error_of(hs().verify(token.substr(0, token.rfind('.') + 1), now)),
            JwtError::bad_signature);
  auto rtoken = rs256_token(rs_header, payload(), rsa());
  // 342 characters encode the 256-byte signature; 340 still decode (to 255 bytes).
  EXPECT_EQ(error_of(rs().verify(rtoken.substr(0, rtoken.size() - 2), now)),
            JwtError::bad_signature);
}

TEST(JwtVerifier, RejectsWrongAlgorithm) {
  EXPECT_EQ(error_of(rs().verify(hs256_token(hs_header, payload(), secret), now)),
            JwtError::unsupported_alg);
  EXPECT_EQ(error_of(hs().verify(rs256_token(rs_header, payload(), rsa()), now)),
            JwtError::unsupported_alg);
  // Algorithm names are case-sensitive (RFC 7515 section 4.1.1).
  EXPECT_EQ(error_of(hs().verify(hs256_token(R"({"alg":"hs256"})", payload(), secret), now)),
            JwtError::unsupported_alg);
}

// The classic confusion attack: the attacker knows the RSA public key and uses its PEM
// text as an HMAC secret, hoping the server verifies HS256 with "the key it has".
TEST(JwtVerifier, RejectsHs256SignedWithThePublicKeyPem) {
  std::string public_pem = test::pem(rsa());
  auto forged = hs256_token(hs_header, payload(), public_pem);
  EXPECT_EQ(error_of(rs().verify(forged, now)), JwtError::unsupported_alg);
  // Even lying about alg in the header cannot help: then the RSA check fails.
  auto lying = hs256_token(rs_header, payload(), public_pem);
  EXPECT_EQ(error_of(rs().verify(lying, now)), JwtError::bad_signature);
}

TEST(JwtVerifier, RejectsAlgNone) {
  for (std::string alg : {"none", "None", "NONE", "nOnE", ""}) {
    std::string header = R"({"alg":")" + alg + R"("})";
    std::string token = b64url(header) + "." + b64url(payload()) + ".";
    EXPECT_EQ(error_of(hs().verify(token, now)), JwtError::unsupported_alg) << alg;
    EXPECT_EQ(error_of(rs().verify(token, now)), JwtError::unsupported_alg) << alg;
    // Same with a signature attached for good measure.
    EXPECT_EQ(error_of(hs().verify(hs256_token(header, payload(), secret), now)),
              JwtError::unsupported_alg);
  }
}

TEST(JwtVerifier, RejectsWrongNumberOfParts) {
  auto token = hs256_token(hs_header, payload(), secret);
  auto two = token.substr(0, token.rfind('.'));
  EXPECT_EQ(error_of(hs().verify(two, now)), JwtError::malformed);
  EXPECT_EQ(error_of(hs().verify(token + ".AAAA", now)), JwtError::malformed);
  EXPECT_EQ(error_of(hs().verify("", now)), JwtError::malformed);
  EXPECT_EQ(error_of(hs().verify("abc", now)), JwtError::malformed);
  EXPECT_EQ(error_of(hs().verify("..", now)), JwtError::malformed);  // empty JSON
}

TEST(JwtVerifier, RejectsBadBase64url) {
  auto token = hs256_token(hs_header, payload(), secret);
  std::string padded = token + "=";
  EXPECT_EQ(error_of(hs().verify(padded, now)), JwtError::malformed);
  std::string std_alphabet = token;
  std_alphabet[1] = '+';
  EXPECT_EQ(error_of(hs().verify(std_alphabet, now)), JwtError::malformed);
  std::string space = " " + token;
  EXPECT_EQ(error_of(hs().verify(space, now)), JwtError::malformed);
  // A bad payload encoding is malformed even when the signature covers it.
  std::string input = b64url(hs_header) + ".e30*";
  EXPECT_EQ(error_of(hs().verify(input + "." + b64url(test::hmac_sha256(secret, input)), now)),
            JwtError::malformed);
}

TEST(JwtVerifier, RejectsBadJson) {
  for (std::string header :
       {"{", "not json", R"({"alg":"HS256"} x)", "[]", R"("HS256")", "42", "null",
        R"({"typ":"JWT"})", R"({"alg":256})", R"({"alg":"HS256","crit":["exp"]})"}) {
    EXPECT_EQ(error_of(hs().verify(hs256_token(header, payload(), secret), now)),
              JwtError::malformed)
        << header;
  }
  for (std::string body : {"{", "[]", R"("sub")", "", "{\"sub\":\"42\",}"}) {
    EXPECT_EQ(error_of(hs().verify(hs256_token(hs_header, body, secret), now)), JwtError::malformed)
        << body;
  }
}

TEST(JwtVerifier, RejectsHugeToken) {
  std::string big(20000, 'a');
  auto token = hs256_token(hs_header, payload(R"(,"pad":")" + big + "\""), secret);
  EXPECT_EQ(error_of(hs().verify(token, now)), JwtError::malformed);
  // Just under the limit is fine.
  std::string fits(11000, 'a');
  EXPECT_TRUE(
      hs().verify(hs256_token(hs_header, payload(R"(,"pad":")" + fits + "\""), secret), now));
}

TEST(JwtVerifier, RejectsDeeplyNestedJson) {
  std::string deep = payload(R"(,"x":)" + std::string(1000, '[') + std::string(1000, ']'));
  EXPECT_EQ(error_of(hs().verify(hs256_token(hs_header, deep, secret), now)), JwtError::malformed);
}

TEST(JwtVerifier, RequiresStringSubject) {
  for (std::string p : {R"({"exp":1700000100})", R"({"sub":42,"exp":1700000100})",
                        R"({"sub":"","exp":1700000100})", R"({"sub":null,"exp":1700000100})"}) {
    EXPECT_EQ(error_of(hs().verify(hs256_token(hs_header, p, secret), now)),
              JwtError::missing_subject)
        << p;
  }
}

TEST(JwtVerifier, ParsesRolesAndChannels) {
  auto token = hs256_token(
      hs_header, payload(R"(,"roles":["admin","ops"],"channels":["chat:*","news"])"), secret);
  auto claims = hs().verify(token, now);
  ASSERT_TRUE(claims);
  EXPECT_EQ(claims->roles, (std::vector<std::string>{"admin", "ops"}));
  EXPECT_EQ(claims->channels, (std::vector<std::string>{"chat:*", "news"}));

  auto nulls =
      hs().verify(hs256_token(hs_header, payload(R"(,"roles":null,"channels":[])"), secret), now);
  ASSERT_TRUE(nulls);
  EXPECT_TRUE(nulls->roles.empty());
  EXPECT_TRUE(nulls->channels.empty());
}

TEST(JwtVerifier, RejectsBadlyTypedRolesAndChannels) {
  for (std::string extra : {R"(,"roles":"admin")", R"(,"roles":[1])", R"(,"channels":{})",
                            R"(,"channels":["a",null])"}) {
    EXPECT_EQ(error_of(hs().verify(hs256_token(hs_header, payload(extra), secret), now)),
              JwtError::malformed)
        << extra;
  }
}

TEST(JwtVerifier, IgnoresUnknownClaims) {
  auto token =
      hs256_token(hs_header, payload(R"(,"iss":"me","aud":["x"],"custom":{"a":1})"), secret);
  EXPECT_TRUE(hs().verify(token, now));
}

TEST(JwtVerifier, RejectsUnusableKeys) {
  EXPECT_EQ(JwtVerifier::hs256("").error(), JwtError::bad_key);
  EXPECT_EQ(JwtVerifier::rs256("").error(), JwtError::bad_key);
  EXPECT_EQ(JwtVerifier::rs256("not a pem").error(), JwtError::bad_key);
  EXPECT_EQ(JwtVerifier::rs256(test::pem(rsa(), /*private_key=*/true)).error(), JwtError::bad_key);
  auto small = test::rsa_key(1024);
  EXPECT_EQ(JwtVerifier::rs256(test::pem(small.get())).error(), JwtError::bad_key);
  auto ec = test::ec_key();
  EXPECT_EQ(JwtVerifier::rs256(test::pem(ec.get())).error(), JwtError::bad_key);
}

TEST(JwtVerifier, IsCopyableAndShared) {
  JwtVerifier a = hs();
  JwtVerifier b = a;
  auto token = hs256_token(hs_header, payload(), secret);
  EXPECT_TRUE(a.verify(token, now));
  EXPECT_TRUE(b.verify(token, now));
}

TEST(JwtError, HasCategoryAndMessages) {
  boost::system::error_code ec = JwtError::expired;
  EXPECT_STREQ(ec.category().name(), "herald.jwt");
  EXPECT_EQ(ec, JwtError::expired);
  EXPECT_NE(ec, JwtError::malformed);
  for (int e = 1; e <= 7; ++e) {
    EXPECT_FALSE(jwt_error_category().message(e).empty());
    EXPECT_NE(jwt_error_category().message(e), jwt_error_category().message(99));
  }
}

}  // namespace
}  // namespace herald::gateway
