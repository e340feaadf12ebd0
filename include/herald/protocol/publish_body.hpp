// HTTP publish bodies (protocol.md section 2 and docs/protocol.md "Batch publish"):
// `POST /api/publish` {"channel":c,"data":d[,"event":e]} and `POST /api/batch`
// {"publications":[{"channel":c,"data":d[,"event":e]},...]}. One pass over the text validates
// it (as Boost.JSON would) and slices each `data` as raw text, forwarded byte for
// byte; no DOM is built. Sans-io, thread-safe (no shared state).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace herald::protocol {

struct PublishItem {
  std::string channel;
  std::string_view data;  ///< raw JSON text inside the parsed body
  /// The Socket.IO event it is emitted as; "" = the default `message` (an explicit
  /// "message" is stored as ""). See docs/protocol.md "Publication events".
  std::string event = {};
};

inline constexpr std::size_t max_event_name = 64;
inline constexpr std::string_view default_event_name = "message";

/// 1-64 characters of [A-Za-z0-9_:.-]. Cost: O(|name|).
bool valid_event_name(std::string_view name) noexcept;
/// Names a publication may not take: Socket.IO's reserved client events (`connect`,
/// `connect_error`, `disconnect`, `disconnecting`, `newListener`, `removeListener`)
/// and the ones Herald emits itself (`invalidate`, `error`).
bool reserved_event_name(std::string_view name) noexcept;
/// "" when `name` (nullopt: the member is not a string) is acceptable as a
/// publication's `event`, else the 400 message naming the field.
std::string event_name_error(std::optional<std::string_view> name);

/// The publications of a body, or the 400 message that refuses it (then `items` is
/// empty). A malformed body is refused before any field check, as a whole.
struct PublishBody {
  std::vector<PublishItem> items;
  std::string error;
  bool ok() const noexcept { return error.empty(); }
};

/// Decides which channel names are acceptable (the gateway's channel_rules).
using ChannelCheck = bool (*)(std::string_view) noexcept;

/// `{"channel":c,"data":d}` -> one item. Errors, in order of precedence: "malformed
/// JSON body", "JSON body nested deeper than 32 levels", "body must be a JSON
/// object", "field 'channel' must be a string", "invalid channel name", "missing
/// field 'data'", then event_name_error()'s. Duplicate keys: the last wins.
/// Cost: O(|body|), one pass.
PublishBody parse_publish_body(std::string_view body, ChannelCheck valid_channel);

/// `{"publications":[{"channel":c,"data":d},...]}` -> the items in order, at most
/// `max_items`. Besides the errors above (a field error is prefixed with
/// "publications[i]: "): "field 'publications' must be an array", "publications[i]:
/// must be an object", "at most N publications per batch". Cost: O(|body|).
PublishBody parse_batch_body(std::string_view body, ChannelCheck valid_channel,
                             std::size_t max_items);

}  // namespace herald::protocol
