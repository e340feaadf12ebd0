// CacheKey::str(): the parameter hash is XXH3-64 over "name=value\0" pairs in name
// order (std::map), printed as 16 hex digits.
#include <herald/cache/cache_key.hpp>

#include <xxhash.h>

#include <cstdio>

namespace herald::cache {

std::string CacheKey::str() const {
  if (params_.empty()) return key_;
  XXH3_state_t* state = XXH3_createState();
  XXH3_64bits_reset(state);
  for (const auto& [name, value] : params_) {
    XXH3_64bits_update(state, name.data(), name.size());
    XXH3_64bits_update(state, "=", 1);
    XXH3_64bits_update(state, value.data(), value.size());
    XXH3_64bits_update(state, "", 1);  // NUL: "a=b" + "c" differs from "a=bc"
  }
  const XXH64_hash_t hash = XXH3_64bits_digest(state);
  XXH3_freeState(state);
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
  return key_ + ":" + hex;
}

}  // namespace herald::cache
