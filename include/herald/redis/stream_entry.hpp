// Typed views of Redis Stream replies, and the parsers that build them from a Reply.
// Sans-io: no Asio here, so the parsers are unit-tested and fuzzed on their own.
// Every parser returns Errc::unexpected_reply (never throws) on a reply of the wrong
// shape, and Errc::server_error when the reply is a Redis error.
#pragma once

#include <herald/redis/error.hpp>
#include <herald/redis/reply.hpp>

#include <string>
#include <utility>
#include <vector>

namespace herald::redis {

using StreamFields = std::vector<std::pair<std::string, std::string>>;

struct StreamEntry {
  std::string id;  ///< "<ms>-<seq>"
  StreamFields fields;
  friend bool operator==(const StreamEntry&, const StreamEntry&) = default;
};

/// One stream's entries in an XREAD / XREADGROUP answer.
struct StreamBatch {
  std::string stream;
  std::vector<StreamEntry> entries;
};

/// XPENDING key group (summary form).
struct PendingSummary {
  long long count = 0;
  std::string smallest_id;  ///< empty when count == 0
  std::string largest_id;
  std::vector<std::pair<std::string, long long>> consumers;  ///< name, pending count
};

/// One row of XPENDING key group start end count [consumer].
struct PendingEntry {
  std::string id;
  std::string consumer;
  long long idle_ms = 0;
  long long deliveries = 0;
};

/// XAUTOCLAIM answer.
struct AutoClaimResult {
  std::string next_cursor;           ///< "0-0" when the scan is complete
  std::vector<StreamEntry> entries;  ///< claimed, now owned by the caller
  std::vector<std::string> deleted;  ///< pending ids whose entries were trimmed away
};

/// The value of one field of an entry, or nullptr.
const std::string* find_field(const StreamEntry& entry, std::string_view name) noexcept;

Result<std::vector<StreamEntry>> parse_stream_entries(const Reply& reply);
/// XREAD/XREADGROUP: nil (timeout) gives an empty vector.
Result<std::vector<StreamBatch>> parse_stream_batches(const Reply& reply);
Result<PendingSummary> parse_pending_summary(const Reply& reply);
Result<std::vector<PendingEntry>> parse_pending_entries(const Reply& reply);
Result<AutoClaimResult> parse_autoclaim(const Reply& reply);

}  // namespace herald::redis
