// Parsers from Reply trees to the typed stream views of stream_entry.hpp. Each checks
// the shape it needs and nothing more, so a newer server adding fields still parses.
#include <herald/redis/stream_entry.hpp>

namespace herald::redis {
namespace {

bool is_str(const Reply& r) {
  return r.is_string();
}

Result<StreamEntry> parse_entry(const Reply& r) {
  if (!r.is_array() || r.elements.size() < 2 || !is_str(r.elements[0]))
    return Errc::unexpected_reply;
  StreamEntry entry;
  entry.id = r.elements[0].str;
  const Reply& fields = r.elements[1];
  // XAUTOCLAIM/XCLAIM can return an entry whose fields are nil (deleted entry).
  if (fields.is_nil()) return entry;
  if (!fields.is_array() || fields.elements.size() % 2 != 0) return Errc::unexpected_reply;
  entry.fields.reserve(fields.elements.size() / 2);
  for (std::size_t i = 0; i < fields.elements.size(); i += 2) {
    if (!is_str(fields.elements[i]) || !is_str(fields.elements[i + 1]))
      return Errc::unexpected_reply;
    entry.fields.emplace_back(fields.elements[i].str, fields.elements[i + 1].str);
  }
  return entry;
}

}  // namespace

const std::string* find_field(const StreamEntry& entry, std::string_view name) noexcept {
  for (const auto& [key, value] : entry.fields)
    if (key == name) return &value;
  return nullptr;
}

Result<std::vector<StreamEntry>> parse_stream_entries(const Reply& reply) {
  if (reply.is_error()) return Errc::server_error;
  if (reply.is_nil()) return std::vector<StreamEntry>{};
  if (!reply.is_array()) return Errc::unexpected_reply;
  std::vector<StreamEntry> entries;
  entries.reserve(reply.elements.size());
  for (const Reply& e : reply.elements) {
    auto entry = parse_entry(e);
    if (!entry) return entry.error();
    entries.push_back(std::move(*entry));
  }
  return entries;
}

Result<std::vector<StreamBatch>> parse_stream_batches(const Reply& reply) {
  if (reply.is_error()) return Errc::server_error;
  if (reply.is_nil()) return std::vector<StreamBatch>{};
  if (!reply.is_array()) return Errc::unexpected_reply;
  std::vector<StreamBatch> batches;
  for (const Reply& s : reply.elements) {
    if (!s.is_array() || s.elements.size() != 2 || !is_str(s.elements[0]))
      return Errc::unexpected_reply;
    auto entries = parse_stream_entries(s.elements[1]);
    if (!entries) return entries.error();
    batches.push_back({s.elements[0].str, std::move(*entries)});
  }
  return batches;
}

Result<PendingSummary> parse_pending_summary(const Reply& reply) {
  if (reply.is_error()) return Errc::server_error;
  if (!reply.is_array() || reply.elements.size() != 4 || !reply.elements[0].is_integer())
    return Errc::unexpected_reply;
  PendingSummary s;
  s.count = reply.elements[0].integer;
  if (is_str(reply.elements[1])) s.smallest_id = reply.elements[1].str;
  if (is_str(reply.elements[2])) s.largest_id = reply.elements[2].str;
  const Reply& consumers = reply.elements[3];
  if (consumers.is_nil()) return s;
  if (!consumers.is_array()) return Errc::unexpected_reply;
  for (const Reply& c : consumers.elements) {
    if (!c.is_array() || c.elements.size() != 2 || !is_str(c.elements[0]))
      return Errc::unexpected_reply;
    auto n = c.elements[1].as_integer();
    if (!n) return Errc::unexpected_reply;
    s.consumers.emplace_back(c.elements[0].str, *n);
  }
  return s;
}

Result<std::vector<PendingEntry>> parse_pending_entries(const Reply& reply) {
  if (reply.is_error()) return Errc::server_error;
  if (!reply.is_array()) return Errc::unexpected_reply;
  std::vector<PendingEntry> out;
  out.reserve(reply.elements.size());
  for (const Reply& e : reply.elements) {
    if (!e.is_array() || e.elements.size() != 4 || !is_str(e.elements[0]) ||
        !is_str(e.elements[1]) || !e.elements[2].is_integer() || !e.elements[3].is_integer())
      return Errc::unexpected_reply;
    out.push_back(
        {e.elements[0].str, e.elements[1].str, e.elements[2].integer, e.elements[3].integer});
  }
  return out;
}

Result<AutoClaimResult> parse_autoclaim(const Reply& reply) {
  if (reply.is_error()) return Errc::server_error;
  // Redis 7: [cursor, entries, deleted-ids]; Redis 6.2: [cursor, entries].
  if (!reply.is_array() || reply.elements.size() < 2 || !is_str(reply.elements[0]))
    return Errc::unexpected_reply;
  AutoClaimResult out;
  out.next_cursor = reply.elements[0].str;
  auto entries = parse_stream_entries(reply.elements[1]);
  if (!entries) return entries.error();
  out.entries = std::move(*entries);
  if (reply.elements.size() >= 3) {
    const Reply& deleted = reply.elements[2];
    if (!deleted.is_array()) return Errc::unexpected_reply;
    for (const Reply& id : deleted.elements) {
      if (!is_str(id)) return Errc::unexpected_reply;
      out.deleted.push_back(id.str);
    }
  }
  return out;
}

}  // namespace herald::redis
