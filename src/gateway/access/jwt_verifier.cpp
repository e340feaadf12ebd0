// JwtVerifier: compact JWS verification with OpenSSL (HMAC-SHA256 and RSASSA-PKCS1-v1_5
// with SHA-256), plus the JwtError category. Claims are read by jwt_claims.cpp.
//
// Order of checks, so each failure gets the most useful error and nothing attacker-
// controlled is trusted before its signature is checked:
//   size limit -> three parts -> base64url of all parts -> header JSON and alg ->
//   signature over "header.payload" -> claims (types, exp, nbf, sub).
// The verifier is immutable after construction, so one instance may be shared by
// every shard thread (OpenSSL 3 allows concurrent use of one EVP_PKEY for verifying).
#include <herald/gateway/jwt.hpp>

#include "base64url.hpp"
#include "jwt_claims.hpp"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include <climits>

namespace herald::gateway {
namespace {

// Tokens travel in URLs and headers; 16 KiB leaves room for a long `channels` list
// while bounding the work an anonymous client can make us do before it is rejected.
constexpr std::size_t max_token_bytes = std::size_t{16} * 1024;
// RS256 keys below 2048 bits are factorable by well-funded attackers (NIST SP 800-131A).
constexpr int min_rsa_bits = 2048;

class JwtCategory final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "herald.jwt"; }
  std::string message(int ev) const override {
    switch (static_cast<JwtError>(ev)) {
      case JwtError::malformed:
        return "malformed token";
      case JwtError::unsupported_alg:
        return "unsupported token algorithm";
      case JwtError::bad_signature:
        return "bad token signature";
      case JwtError::expired:
        return "token expired or without exp";
      case JwtError::not_yet_valid:
        return "token not yet valid";
      case JwtError::missing_subject:
        return "token without sub";
      case JwtError::bad_key:
        return "unusable JWT key";
    }
    return "unknown JWT error";
  }
};

struct PkeyFree {
  void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* p) const noexcept { EVP_MD_CTX_free(p); }
};
struct BioFree {
  void operator()(BIO* p) const noexcept { BIO_free(p); }
};

}  // namespace

const boost::system::error_category& jwt_error_category() noexcept {
  static const JwtCategory category;
  return category;
}

// The verification key: an HS256 secret or an RS256 public key, never both.
class JwtVerifier::Key {
 public:
  explicit Key(std::string secret) : secret_(std::move(secret)) {}
  explicit Key(std::unique_ptr<EVP_PKEY, PkeyFree>&& pkey) : pkey_(std::move(pkey)) {}
  Key(const Key&) = delete;
  Key& operator=(const Key&) = delete;
  ~Key() { OPENSSL_cleanse(secret_.data(), secret_.size()); }

  std::string_view alg() const noexcept { return pkey_ ? "RS256" : "HS256"; }

  /// True when `signature` is valid for `signed_part`. Cost: one HMAC-SHA256 or one
  /// RSA public-key operation over the input.
  bool verify(std::string_view signed_part, std::string_view signature) const {
    bool ok = pkey_ ? verify_rsa(signed_part, signature) : verify_hmac(signed_part, signature);
    ERR_clear_error();  // leave no stale errors in this thread's OpenSSL queue
    return ok;
  }

 private:
  bool verify_hmac(std::string_view data, std::string_view signature) const {
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;
    if (HMAC(EVP_sha256(), secret_.data(), static_cast<int>(secret_.size()),
             reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac,
             &mac_len) == nullptr) {
      return false;
    }
    // Constant time: the comparison must not tell an attacker how many leading
    // bytes of a forged MAC were right.
    return signature.size() == mac_len && CRYPTO_memcmp(mac, signature.data(), mac_len) == 0;
  }

  bool verify_rsa(std::string_view data, std::string_view signature) const {
    std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
    if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, pkey_.get()) != 1) {
      return false;
    }
    return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                            signature.size(), reinterpret_cast<const unsigned char*>(data.data()),
                            data.size()) == 1;
  }

  std::string secret_;
  std::unique_ptr<EVP_PKEY, PkeyFree> pkey_;
};

boost::system::result<JwtVerifier> JwtVerifier::hs256(std::string secret) {
  if (secret.empty() || secret.size() > INT_MAX) return JwtError::bad_key;
  try {
    return JwtVerifier(std::make_shared<const Key>(std::move(secret)));
  } catch (const std::bad_alloc&) {
    return JwtError::bad_key;
  }
}

boost::system::result<JwtVerifier> JwtVerifier::rs256(std::string_view public_key_pem) {
  if (public_key_pem.empty() || public_key_pem.size() > INT_MAX) return JwtError::bad_key;
  std::unique_ptr<BIO, BioFree> bio(
      BIO_new_mem_buf(public_key_pem.data(), static_cast<int>(public_key_pem.size())));
  // SubjectPublicKeyInfo only ("BEGIN PUBLIC KEY", what `openssl rsa -pubout` writes):
  // a private key PEM is refused, so a deployment never ships signing keys to the gateway.
  std::unique_ptr<EVP_PKEY, PkeyFree> pkey(
      bio ? PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  ERR_clear_error();
  if (!pkey || EVP_PKEY_is_a(pkey.get(), "RSA") != 1 ||
      EVP_PKEY_get_bits(pkey.get()) < min_rsa_bits) {
    return JwtError::bad_key;
  }
  try {
    // If the allocation throws, Key's constructor never ran and `pkey` still owns.
    return JwtVerifier(std::make_shared<const Key>(std::move(pkey)));
  } catch (const std::bad_alloc&) {
    return JwtError::bad_key;
  }
}

boost::system::result<JwtClaims> JwtVerifier::verify(std::string_view token,
                                                     std::int64_t now) const {
  if (!key_) return JwtError::bad_key;
  if (token.empty() || token.size() > max_token_bytes) return JwtError::malformed;

  auto dot1 = token.find('.');
  if (dot1 == std::string_view::npos) return JwtError::malformed;
  auto dot2 = token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
    return JwtError::malformed;
  }
  try {
    auto header = detail::base64url_decode(token.substr(0, dot1));
    auto payload = detail::base64url_decode(token.substr(dot1 + 1, dot2 - dot1 - 1));
    auto signature = detail::base64url_decode(token.substr(dot2 + 1));
    if (!header || !payload || !signature) return JwtError::malformed;

    auto alg = detail::read_jose_alg(*header);
    if (!alg) return alg.error();
    // Exact, case-sensitive match (RFC 7515 section 4.1.1): this is what stops "none"
    // and the HS256-with-the-RSA-public-key-as-secret confusion attack.
    if (*alg != key_->alg()) return JwtError::unsupported_alg;

    if (!key_->verify(token.substr(0, dot2), *signature)) return JwtError::bad_signature;
    return detail::read_claims(*payload, now);
  } catch (const std::bad_alloc&) {
    return JwtError::malformed;
  }
}

}  // namespace herald::gateway
