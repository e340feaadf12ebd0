// CacheLayout: every Redis key name of one Cache, spelled in this one place (the
// cache, its scripts' KEYS, the `herald cache` command and the tests use it;
// docs/cache.md "Redis layout" and docs/redis-layout.md point here).
//
// All keys of a cache with prefix P share the hash tag `{P}`, so they live in one
// Redis Cluster slot and the read (one MGET) and the write-back script may touch them
// together:
//   {P}:e:<key>        the entry envelope (cache_entry.hpp)
//   {P}:gen            cache-wide generation (clear() moves it)
//   {P}:ns:<ns>        namespace version
//   {P}:tv:<tag>       tag version
//   {P}:tn:<tag>       writes under the tag since its last invalidation
//   {P}:lock:<key>     the distributed load lock
//   {P}:stats:<node>   each node's counters (a hash, for `herald cache stats`)
//
// Sans-io; immutable after construction, so thread-safe. Cost: one allocation per
// name built.
#pragma once

#include <string>
#include <string_view>

namespace herald::cache {

class CacheLayout {
 public:
  explicit CacheLayout(std::string_view prefix);

  /// `{P}`: the hash tag every key starts with.
  const std::string& hash_tag() const noexcept { return hash_tag_; }

  /// `{P}:e:` and `{P}:e:<key>`.
  const std::string& entry_prefix() const noexcept { return entry_prefix_; }
  std::string entry(std::string_view key) const { return entry_prefix_ + std::string(key); }
  /// `{P}:gen`.
  const std::string& generation() const noexcept { return generation_; }
  /// `{P}:ns:` and `{P}:ns:<ns>`.
  const std::string& namespace_prefix() const noexcept { return namespace_prefix_; }
  std::string namespace_version(std::string_view ns) const {
    return namespace_prefix_ + std::string(ns);
  }
  /// `{P}:tv:` and `{P}:tv:<tag>`.
  const std::string& tag_version_prefix() const noexcept { return tag_version_prefix_; }
  std::string tag_version(std::string_view tag) const {
    return tag_version_prefix_ + std::string(tag);
  }
  /// `{P}:tn:<tag>`.
  std::string tag_count(std::string_view tag) const {
    return hash_tag_ + ":tn:" + std::string(tag);
  }
  /// `{P}:lock:<key>`.
  std::string lock(std::string_view key) const { return hash_tag_ + ":lock:" + std::string(key); }
  /// `{P}:stats:<node>`.
  std::string stats(std::string_view node) const { return stats_prefix_ + std::string(node); }

  // SCAN MATCH patterns (glob characters of the prefix escaped).
  /// Every entry: `{P}:e:*`.
  std::string all_entries_pattern() const { return glob_escape(entry_prefix_) + "*"; }
  /// The entries of namespace ns: `{P}:e:<ns>:*`.
  std::string namespace_entries_pattern(std::string_view ns) const {
    return glob_escape(entry_prefix_ + std::string(ns) + ":") + "*";
  }
  /// Every node's statistics: `{P}:stats:*`.
  std::string all_stats_pattern() const { return glob_escape(stats_prefix_) + "*"; }

  /// Escapes glob characters so that s matches itself in SCAN MATCH.
  static std::string glob_escape(std::string_view s);

 private:
  std::string hash_tag_;
  std::string entry_prefix_;
  std::string generation_;
  std::string namespace_prefix_;
  std::string tag_version_prefix_;
  std::string stats_prefix_;
};

}  // namespace herald::cache
