// CacheEntry: what the cache stores in Redis for one key, and its text envelope.
//
//   HC1 <stamp> <created_ms> <expires_ms> <flags> <ns_version> <ntags>\n
//   <version> <tag>\n            (ntags lines)
//   <payload bytes>
//
// The stamp is random per write: the compare-and-set write-back compares it (a
// removal writes a tombstone with a new stamp). created/expires are wall-clock ms
// (logical expiry; Redis's PX is the longer physical one, for stale and fail-safe
// answers). Versions are the namespace/tag counters the value was loaded under.
// Sans-io; parse() rejects anything malformed (nullopt), it never throws.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace herald::cache {

struct CacheEntry {
  enum Flags : unsigned {
    kNegative = 1,   ///< the loader said "not found"
    kTombstone = 2,  ///< removed: a miss, kept so in-flight loads cannot write back
    kStale = 4,      ///< a fail-safe re-cache of an old value
  };

  std::string stamp;
  std::int64_t created_ms = 0;
  std::int64_t expires_ms = 0;
  unsigned flags = 0;
  std::string ns_version = "0";
  std::vector<std::pair<std::string, std::string>> tags;  ///< tag, version
  std::string payload;

  bool negative() const noexcept { return (flags & kNegative) != 0; }
  bool tombstone() const noexcept { return (flags & kTombstone) != 0; }
  bool stale() const noexcept { return (flags & kStale) != 0; }

  std::string encode() const;
  static std::optional<CacheEntry> parse(std::string_view bytes);
};

/// A tag may not contain a newline or be empty (it is one line of the envelope).
bool valid_tag(std::string_view tag) noexcept;

/// A random 64-bit hex stamp.
std::string new_stamp();

}  // namespace herald::cache
