// AdminSessionCodec: HMAC-SHA256 signed session cookies for the admin console.
#include "admin_session_codec.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <charconv>
#include <stdexcept>

namespace herald::gateway {
namespace {

constexpr char hex_digits[] = "0123456789abcdef";

std::string to_hex(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += hex_digits[c >> 4];
    out += hex_digits[c & 0xF];
  }
  return out;
}

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;  // lower case only: one spelling per value
}

std::optional<std::string> from_hex(std::string_view text) {
  if (text.size() % 2 != 0) return std::nullopt;
  std::string out;
  out.reserve(text.size() / 2);
  for (std::size_t i = 0; i < text.size(); i += 2) {
    int hi = hex_value(text[i]);
    int lo = hex_value(text[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>((hi << 4) | lo);
  }
  return out;
}

}  // namespace

AdminSessionCodec::AdminSessionCodec(std::string key) : key_(std::move(key)) {
  if (key_.empty()) throw std::invalid_argument("admin session key must not be empty");
}

std::string AdminSessionCodec::mac_hex(std::string_view signed_part) const {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
       reinterpret_cast<const unsigned char*>(signed_part.data()), signed_part.size(), mac, &len);
  return to_hex(std::string_view(reinterpret_cast<const char*>(mac), len));
}

std::string AdminSessionCodec::issue(std::string_view admin, std::int64_t expires_at) const {
  if (admin.empty() || admin.size() > max_admin_bytes)
    throw std::invalid_argument("admin name must be 1-256 bytes");
  std::string out = to_hex(admin);
  out += '.';
  out += std::to_string(expires_at);
  std::string mac = mac_hex(out);
  out += '.';
  out += mac;
  return out;
}

std::optional<AdminSession> AdminSessionCodec::verify(std::string_view value,
                                                      std::int64_t now) const {
  if (value.size() > 2 * max_admin_bytes + 100) return std::nullopt;
  const auto first = value.find('.');
  if (first == std::string_view::npos) return std::nullopt;
  const auto second = value.find('.', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  const std::string_view signed_part = value.substr(0, second);
  const std::string_view mac = value.substr(second + 1);
  const std::string expected = mac_hex(signed_part);
  if (mac.size() != expected.size() ||
      CRYPTO_memcmp(mac.data(), expected.data(), expected.size()) != 0)
    return std::nullopt;
  // Signed by this key: still parsed strictly (a bug elsewhere must not pass).
  auto admin = from_hex(value.substr(0, first));
  if (!admin || admin->empty()) return std::nullopt;
  const std::string_view exp_text = value.substr(first + 1, second - first - 1);
  std::int64_t exp = 0;
  auto [p, ec] = std::from_chars(exp_text.data(), exp_text.data() + exp_text.size(), exp);
  if (ec != std::errc() || p != exp_text.data() + exp_text.size() || exp_text.empty())
    return std::nullopt;
  if (exp <= now) return std::nullopt;
  return AdminSession{std::move(*admin), exp};
}

std::string_view AdminSessionCodec::find_cookie(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    auto end = header.find(';');
    std::string_view pair = header.substr(0, end);
    header = end == std::string_view::npos ? std::string_view{} : header.substr(end + 1);
    while (!pair.empty() && (pair.front() == ' ' || pair.front() == '\t')) pair.remove_prefix(1);
    while (!pair.empty() && (pair.back() == ' ' || pair.back() == '\t')) pair.remove_suffix(1);
    auto eq = pair.find('=');
    if (eq == std::string_view::npos) continue;
    if (pair.substr(0, eq) == name) {
      std::string_view v = pair.substr(eq + 1);
      if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
      return v;
    }
  }
  return {};
}

}  // namespace herald::gateway
