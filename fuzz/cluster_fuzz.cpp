// libFuzzer target: the Redis Cluster parsers. The first byte picks one:
//   0: Redirect::parse on the text (a parsed redirect has a slot < 16384, a port and
//      no whitespace in its host);
//   1: RequestRoute::of on the bytes (a parsed route's slot is < 16384; the same bytes
//      give the same answer);
//   2: the bytes as RESP replies (RespReader), each given to SlotMap::from_shards
//      (plain and TLS) and SlotMap::from_slots: a parsed map's owners are among its
//      primaries, each with a host and a port, and it covers at most 16384 slots.
// key_slot() runs on every input as well (any bytes are a key).
#include "redis/core/key_slot.hpp"
#include "redis/core/redirect.hpp"
#include "redis/core/request_route.hpp"
#include "redis/core/resp_reader.hpp"
#include "redis/core/slot_map.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

using namespace herald::redis;

namespace {

void check(const Result<SlotMap>& map) {
  if (!map) return;
  if (map->covered() > kClusterSlots) std::abort();
  for (const auto& n : map->primaries())
    if (n.host.empty() || n.port == 0) std::abort();
  for (unsigned s = 0; s < kClusterSlots; ++s) {
    const ClusterNode* owner = map->owner(static_cast<std::uint16_t>(s));
    if (owner == nullptr) continue;
    const auto& p = map->primaries();
    if (std::find(p.begin(), p.end(), *owner) == p.end()) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const unsigned which = data[0] % 3;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  if (key_slot(text) >= kClusterSlots) std::abort();
  if (which == 0) {
    auto r = Redirect::parse(text);
    if (r && (r->slot >= kClusterSlots || r->port == 0 ||
              r->host.find_first_of(" \r\n\t") != std::string::npos))
      std::abort();
  } else if (which == 1) {
    auto r = RequestRoute::of(text);
    if (r && r->slot >= kClusterSlots) std::abort();
    if (r != RequestRoute::of(text)) std::abort();
  } else {
    RespReader reader{4096};
    if (!reader.feed(text.data(), text.size())) return 0;
    for (int n = 0; n < 8; ++n) {
      auto next = reader.next();
      if (!next || !*next) break;
      check(SlotMap::from_shards(**next, "seed", false));
      check(SlotMap::from_shards(**next, "", true));
      check(SlotMap::from_slots(**next, "seed"));
    }
  }
  return 0;
}
