// Errors of the cache, at its boundary. A miss is not an error; these are the cases
// where no value can be given to the caller.
#pragma once

#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

#include <type_traits>

namespace herald::cache {

enum class CacheErrc {
  /// The loader threw, and there was no stale value to fall back on.
  loader_failed = 1,
  /// The loader did not answer within hard_timeout, and there was no stale value.
  loader_timeout,
  /// The value in the cache could not be decoded by the caller's codec.
  decode_failed,
  /// An invalidation could not reach Redis (the local L1 was still cleared).
  redis_unavailable,
};

const boost::system::error_category& cache_error_category() noexcept;

inline boost::system::error_code make_error_code(CacheErrc e) noexcept {
  return {static_cast<int>(e), cache_error_category()};
}

template <class T>
using Result = boost::system::result<T>;

}  // namespace herald::cache

template <>
struct boost::system::is_error_code_enum<herald::cache::CacheErrc> : std::true_type {};
