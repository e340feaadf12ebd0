// The error category of the cache (CacheErrc).
#include <herald/cache/cache_error.hpp>

#include <string>

namespace herald::cache {
namespace {

class CacheErrorCategory final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "herald.cache"; }
  std::string message(int value) const override {
    switch (static_cast<CacheErrc>(value)) {
      case CacheErrc::loader_failed:
        return "cache loader failed and no stale value exists";
      case CacheErrc::loader_timeout:
        return "cache loader timed out and no stale value exists";
      case CacheErrc::decode_failed:
        return "cached value could not be decoded";
      case CacheErrc::redis_unavailable:
        return "redis unavailable for cache invalidation";
    }
    return "unknown cache error";
  }
};

}  // namespace

const boost::system::error_category& cache_error_category() noexcept {
  static const CacheErrorCategory category;
  return category;
}

}  // namespace herald::cache
