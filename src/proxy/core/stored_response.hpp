// StoredResponse: one cached HTTP response as a single cache value, pre-serialised so
// that a hit is one gathered write: the status line and header lines as they go to
// the client (`head`, without the blank line), then the body. The proxy adds Age and
// Cache-Status between the two at answer time.
//
// Envelope (text header, then raw bytes):
//   "HP1 <stored_ms> <age_s> <fresh_ms> <swr_ms> <sie_ms> <status> <head_len> <body_len>\n"
//   "<vary names, comma-separated>\n<tags, space-separated>\n<etag>\n<last-modified>\n"
//   <head bytes><body bytes>
// parse() checks every length against the value and refuses anything else (a value
// any writer of the keyspace could have corrupted): it is fuzzed.
//
// Thread: value type; parse() gives views into the caller's string. Cost: O(meta).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace herald::proxy {

struct StoredResponse {
  std::int64_t stored_ms = 0;  ///< wall clock (Unix ms) when the response arrived
  std::int64_t age_s = 0;      ///< initial age (from Age/Date) at stored_ms
  std::int64_t fresh_ms = 0;   ///< fresh until stored_ms + fresh_ms
  std::int64_t swr_ms = 0;     ///< then stale-while-revalidate for this long
  std::int64_t sie_ms = 0;     ///< stale-if-error window after freshness
  unsigned status = 0;
  std::vector<std::string> vary;  ///< lower-case names, sorted
  std::vector<std::string> tags;
  std::string etag;           ///< "" when none
  std::string last_modified;  ///< "" when none
  std::string head;           ///< "HTTP/1.1 200 OK\r\nName: value\r\n..." (no blank line)
  std::string body;

  /// The envelope. Meta fields holding '\n' or '\r' (never from a parsed message)
  /// are dropped rather than written.
  std::string encode() const;
};

/// A parsed envelope: views into the value it was parsed from.
struct StoredResponseView {
  std::int64_t stored_ms = 0;
  std::int64_t age_s = 0;
  std::int64_t fresh_ms = 0;
  std::int64_t swr_ms = 0;
  std::int64_t sie_ms = 0;
  unsigned status = 0;
  std::string_view vary;  ///< comma-separated
  std::string_view tags;  ///< space-separated
  std::string_view etag;
  std::string_view last_modified;
  std::string_view head;
  std::string_view body;

  static std::optional<StoredResponseView> parse(std::string_view value);

  /// Age in seconds at `now_ms` (RFC 9111 section 4.2.3, our own clock).
  std::int64_t age_at(std::int64_t now_ms) const noexcept;
  bool fresh_at(std::int64_t now_ms) const noexcept { return now_ms < stored_ms + fresh_ms; }
  /// Seconds of freshness left (negative once stale), for Cache-Status ttl.
  std::int64_t ttl_at(std::int64_t now_ms) const noexcept;
  /// The physical life the entry needs in the cache: freshness + the longest of the
  /// stale windows and, when it has a validator (ETag / Last-Modified), 10 minutes
  /// in which a stale copy is revalidated with a conditional request (a 304 is cheaper
  /// than the whole answer again).
  std::int64_t keep_ms() const noexcept;
  static constexpr std::int64_t kRevalidationKeepMs = 600'000;
};

}  // namespace herald::proxy
