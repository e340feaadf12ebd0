// libFuzzer target: arbitrary bytes into RespReader, fed in chunks whose sizes the
// input itself chooses (so splits at every position get explored), draining next()
// after every feed until it needs more bytes or reports a protocol error.
// Finds: crashes, leaks, UB, and allocations driven by declared lengths.
#include "redis/core/resp_reader.hpp"

#include <cstddef>
#include <cstdint>

using herald::redis::RespReader;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  // First byte: the chunk-size seed (1..16 bytes per feed, varying).
  const unsigned seed = data[0];
  data += 1;
  size -= 1;
  // The production limit (64 Mi elements) is part of what is fuzzed.
  RespReader reader;
  std::size_t pos = 0;
  unsigned step = 0;
  while (pos < size) {
    std::size_t chunk = 1 + ((seed + step * 7) % 16);
    if (chunk > size - pos) chunk = size - pos;
    ++step;
    if (!reader.feed(reinterpret_cast<const char*>(data + pos), chunk)) return 0;
    pos += chunk;
    for (;;) {
      auto r = reader.next();
      if (!r) {
        // Poisoned: every later call must fail too, never crash.
        (void)reader.next();
        return 0;
      }
      if (!*r) break;
    }
  }
  return 0;
}
