// CacheKey: builds cache keys `namespace:entity:id[:hash(params)]`.
//
// Query parameters are sorted by name and hashed (XXH3-64, stable across platforms
// and versions), so the same query always gives the same key whatever the order the
// caller lists them in. The namespace is the unit of `invalidate_namespace`.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace herald::cache {

class CacheKey {
 public:
  explicit CacheKey(std::string_view ns) : key_(ns) {}

  CacheKey& entity(std::string_view e) {
    key_ += ':';
    key_ += e;
    return *this;
  }
  CacheKey& id(std::string_view id) { return entity(id); }
  CacheKey& id(long long id) { return entity(std::to_string(id)); }
  /// Adds one query parameter; the hash over all of them is appended by str().
  CacheKey& param(std::string name, std::string value) {
    params_[std::move(name)] = std::move(value);
    return *this;
  }

  /// The key. Cost: O(total parameter bytes) for the hash.
  std::string str() const;

  /// The namespace part of a key built by this class (text before the first ':').
  static std::string_view namespace_of(std::string_view key) {
    return key.substr(0, key.find(':'));
  }

 private:
  std::string key_;
  std::map<std::string, std::string> params_;
};

}  // namespace herald::cache
