// random_id: see random_id.hpp.
#include "realtime/random_id.hpp"

#include <random>

namespace herald::realtime {

std::string random_hex(std::size_t digits) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char hex[] = "0123456789abcdef";
  std::string out(digits, '0');
  std::uint64_t v = rng();
  for (std::size_t i = 0; i < digits; ++i) {
    if (i % 16 == 0 && i != 0) v = rng();
    out[i] = hex[v & 0xF];
    v >>= 4;
  }
  return out;
}

}  // namespace herald::realtime
