// CacheStatus::str(): RFC 9211 section 2 (sf-list member "herald" with parameters).
#include "proxy/core/cache_status.hpp"

namespace herald::proxy {

std::string CacheStatus::str() const {
  std::string out = "herald";
  if (hit) out += "; hit";
  if (!fwd.empty()) {
    out += "; fwd=";
    out += fwd;
  }
  if (fwd_status) out += "; fwd-status=" + std::to_string(*fwd_status);
  if (ttl) out += "; ttl=" + std::to_string(*ttl);
  if (stored) out += "; stored";
  if (collapsed) out += "; collapsed";
  if (!detail.empty()) {
    out += "; detail=";
    out += detail;
  }
  return out;
}

}  // namespace herald::proxy
