// Strict unpadded base64url decoder (see base64url.hpp for why it is hand-written).
#include "base64url.hpp"

#include <array>
#include <cstdint>

namespace herald::gateway::detail {
namespace {

constexpr std::uint8_t invalid = 0xff;

// Maps each byte to its 6-bit value, or `invalid`. Built at compile time.
constexpr std::array<std::uint8_t, 256> make_table() {
  std::array<std::uint8_t, 256> table{};
  for (auto& v : table) v = invalid;
  constexpr std::string_view alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  for (std::size_t i = 0; i < alphabet.size(); ++i) {
    table[static_cast<unsigned char>(alphabet[i])] = static_cast<std::uint8_t>(i);
  }
  return table;
}

constexpr auto table = make_table();

}  // namespace

std::optional<std::string> base64url_decode(std::string_view text) {
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(text.size() / 4 * 3 + 2);
  std::uint32_t acc = 0;  // holds `bits` not-yet-emitted bits, low-aligned
  int bits = 0;
  for (char c : text) {
    std::uint8_t v = table[static_cast<unsigned char>(c)];
    if (v == invalid) return std::nullopt;
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
    acc &= (1u << bits) - 1;  // keep only the pending bits so acc never overflows
  }
  // 2 or 4 bits may be left over from the last character; they must be zero.
  if (acc != 0) return std::nullopt;
  return out;
}

}  // namespace herald::gateway::detail
