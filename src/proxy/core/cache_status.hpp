// CacheStatus: the Cache-Status field (RFC 9211) Herald adds to every proxied answer,
// e.g. `herald; hit; ttl=42`, `herald; fwd=uri-miss; stored`, `herald; fwd=bypass;
// detail=cookie`, `herald; hit; fwd=stale; fwd-status=503` (stale-if-error).
//
// Thread: value type. Cost: one small string.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace herald::proxy {

struct CacheStatus {
  bool hit = false;
  std::string_view fwd;  ///< "", "bypass", "method", "uri-miss", "vary-miss", "miss", "stale"
  std::optional<unsigned> fwd_status;
  std::optional<std::int64_t> ttl;
  bool stored = false;
  bool collapsed = false;
  std::string_view detail;  ///< a token (no quoting needed)

  std::string str() const;
};

}  // namespace herald::proxy
