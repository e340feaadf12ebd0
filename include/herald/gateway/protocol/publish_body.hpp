// HTTP publish bodies (protocol.md section 2 and docs/protocol.md "Batch publish"):
// `POST /api/publish` {"channel":c,"data":d} and `POST /api/batch`
// {"publications":[{"channel":c,"data":d},...]}. One pass over the text validates
// it (as Boost.JSON would) and slices each `data` as raw text, forwarded byte for
// byte; no DOM is built. Sans-io, thread-safe (no shared state).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace herald::protocol {

struct PublishItem {
  std::string channel;
  std::string_view data;  ///< raw JSON text inside the parsed body
};

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
/// field 'data'". Duplicate keys: the last wins. Cost: O(|body|), one pass.
PublishBody parse_publish_body(std::string_view body, ChannelCheck valid_channel);

/// `{"publications":[{"channel":c,"data":d},...]}` -> the items in order, at most
/// `max_items`. Besides the errors above (a field error is prefixed with
/// "publications[i]: "): "field 'publications' must be an array", "publications[i]:
/// must be an object", "at most N publications per batch". Cost: O(|body|).
PublishBody parse_batch_body(std::string_view body, ChannelCheck valid_channel,
                             std::size_t max_items);

}  // namespace herald::protocol
