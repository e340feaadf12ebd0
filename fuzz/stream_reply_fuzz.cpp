// libFuzzer target: bytes decoded by RespReader into Reply trees, then every stream
// parser run on every reply (and on every top-level element), so that all the shapes
// the parsers must refuse are reached. They must return unexpected_reply or
// server_error, never crash or throw.
#include <herald/redis/stream_entry.hpp>

#include "redis/core/resp_reader.hpp"

#include <cstddef>
#include <cstdint>

using namespace herald::redis;

namespace {

void run_parsers(const Reply& reply) {
  if (auto r = parse_stream_entries(reply)) {
    for (const auto& e : *r) (void)find_field(e, "f");
  }
  (void)parse_stream_batches(reply);
  (void)parse_pending_summary(reply);
  (void)parse_pending_entries(reply);
  (void)parse_autoclaim(reply);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // A small element limit keeps the fuzzer on shapes, not on giant allocations.
  RespReader reader(4096);
  if (!reader.feed(reinterpret_cast<const char*>(data), size)) return 0;
  for (;;) {
    auto r = reader.next();
    if (!r || !*r) return 0;
    const Reply& reply = **r;
    run_parsers(reply);
    if (reply.is_array())
      for (const auto& element : reply.elements) run_parsers(element);
  }
}
