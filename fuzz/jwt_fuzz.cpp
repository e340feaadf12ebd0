// libFuzzer target: arbitrary text as a JWT into an HS256 and an RS256 verifier, and,
// because a random token almost never gets past the signature, also straight into the
// internal header/claims readers, the base64url decoder and glob_match.
// Invariants: nothing crashes or leaks; a verified token has a non-empty sub and an
// exp after `now`; a token that verifies on one verifier never verifies on the other.
#include <herald/gateway/channel_rules.hpp>
#include <herald/gateway/jwt.hpp>

#include "gateway/access/base64url.hpp"
#include "gateway/access/jwt_claims.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

using herald::gateway::JwtVerifier;

namespace {

constexpr std::int64_t now = 1'700'000'000;

std::string generated_public_pem() {
  EVP_PKEY* key = EVP_RSA_gen(2048);
  BIO* bio = BIO_new(BIO_s_mem());
  if (key == nullptr || bio == nullptr || PEM_write_bio_PUBKEY(bio, key) != 1) std::abort();
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<std::size_t>(len));
  BIO_free(bio);
  EVP_PKEY_free(key);
  return pem;
}

const JwtVerifier& hs() {
  static const JwtVerifier v = JwtVerifier::hs256("herald-fuzz-secret").value();
  return v;
}

const JwtVerifier& rs() {
  static const JwtVerifier v = JwtVerifier::rs256(generated_public_pem()).value();
  return v;
}

void check(const boost::system::result<herald::gateway::JwtClaims>& claims) {
  if (claims && (claims->sub.empty() || claims->exp <= now)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)hs();
  (void)rs();  // key generation once, not in the first input's time budget
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  auto by_hs = hs().verify(text, now);
  auto by_rs = rs().verify(text, now);
  check(by_hs);
  check(by_rs);
  if (by_hs && by_rs) std::abort();

  (void)herald::gateway::detail::base64url_decode(text);
  (void)herald::gateway::detail::read_jose_alg(text);
  check(herald::gateway::detail::read_claims(text, now));

  // First line as a glob, the rest as a channel name.
  auto nl = text.find('\n');
  if (nl != std::string_view::npos) {
    std::string_view glob = text.substr(0, nl);
    std::string_view channel = text.substr(nl + 1);
    bool matched = herald::gateway::glob_match(glob, channel);
    // A glob without metacharacters matches exactly itself.
    if (glob.find_first_of("*?[") == std::string_view::npos && matched != (glob == channel)) {
      std::abort();
    }
    (void)herald::gateway::valid_channel_name(channel);
  }
  return 0;
}
