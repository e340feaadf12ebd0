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
// CacheEntryView is the same parse without copies, for the L2 hit path.
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

/// An envelope parsed in place: every field views the bytes it was parsed from, which
/// must outlive it. The L2 hit path checks an entry against the current versions
/// with this and copies nothing (CacheEntry::parse is this plus copies). Accepts
/// exactly what CacheEntry::parse accepts.
struct CacheEntryView {
  std::string_view stamp;
  std::int64_t created_ms = 0;
  std::int64_t expires_ms = 0;
  unsigned flags = 0;
  std::string_view ns_version;
  std::size_t ntags = 0;
  std::string_view tag_lines;      ///< the ntags validated "<version> <tag>\n" lines
  std::size_t payload_offset = 0;  ///< the payload is bytes.substr(payload_offset)
  std::string_view payload;

  bool negative() const noexcept { return (flags & CacheEntry::kNegative) != 0; }
  bool tombstone() const noexcept { return (flags & CacheEntry::kTombstone) != 0; }
  bool stale() const noexcept { return (flags & CacheEntry::kStale) != 0; }

  /// Calls f(tag, version) for each tag line, in order, while f returns true;
  /// returns false when f stopped it.
  template <class F>
  bool each_tag(F&& f) const {
    std::string_view rest = tag_lines;
    while (!rest.empty()) {
      const std::size_t nl = rest.find('\n');  // present: checked by parse()
      const std::string_view line = rest.substr(0, nl);
      rest.remove_prefix(nl + 1);
      const std::size_t sp = line.find(' ');  // present: checked by parse()
      if (!f(line.substr(sp + 1), line.substr(0, sp))) return false;
    }
    return true;
  }

  CacheEntry to_entry() const;
  static std::optional<CacheEntryView> parse(std::string_view bytes) noexcept;
};

/// A tag may not contain a newline or be empty (it is one line of the envelope).
bool valid_tag(std::string_view tag) noexcept;

/// A random 64-bit hex stamp.
std::string new_stamp();

}  // namespace herald::cache
