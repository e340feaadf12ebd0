// Server -> client frames of the WebSocket protocol (protocol.md section 1), encoded
// as compact JSON text. Sans-io. The `message` frame is built once per publication
// and shared by every subscriber, so encode_message() also reports where `data`
// sits inside the frame (history answers reuse that slice instead of re-encoding).
#pragma once

#include <herald/protocol/stream_position.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace herald::protocol {

/// Appends `s` as a JSON string literal (quotes included) to `out`. Cost: O(|s|).
void append_json_string(std::string& out, std::string_view s);

std::string encode_welcome(std::string_view client, std::string_view user,
                           std::uint32_t ping_interval);

/// `{"type":"reply","id":id,"result":<result_json>}`; result_json must be valid JSON.
std::string encode_reply(std::int64_t id, std::string_view result_json);

/// `{"type":"error",["id":id,]"code":code,"message":"..."}`.
std::string encode_error(std::optional<std::int64_t> id, int code, std::string_view message);

/// Subscribe result `{"channel":c,"offset":N,"epoch":"e","recovered":bool}`.
std::string encode_subscribe_result(std::string_view channel, const StreamPosition& position,
                                    bool recovered);

struct MessageFrame {
  std::string text;           ///< the whole frame
  std::size_t data_pos = 0;   ///< where the raw data starts in text
  std::size_t data_size = 0;  ///< its length
};
/// `{"type":"message","channel":c,"offset":N,"epoch":"e","data":<data_json>}`.
MessageFrame encode_message(std::string_view channel, std::uint64_t offset, std::string_view epoch,
                            std::string_view data_json);

/// A publish result `{"offset":N,"epoch":"e"}` (WebSocket reply and HTTP answer).
std::string encode_position(const StreamPosition& position);
/// Appends encode_position(position) to `out` (no temporary string).
void append_position(std::string& out, const StreamPosition& position);

/// One element of a history answer: `data_json` is raw JSON.
struct HistoryEntry {
  std::uint64_t offset = 0;
  std::string_view data_json;
};
/// `{"messages":[{"offset":N,"data":...},...],"offset":N,"epoch":"e"}` (oldest first).
std::string encode_history_result(const std::vector<HistoryEntry>& messages,
                                  const StreamPosition& position);

/// `{"type":"disconnect","code":c,"reason":"...","reconnect":bool}`.
std::string encode_disconnect(int code, std::string_view reason, bool reconnect);

// The `invalidate` frame (on `tag:` channels): invalidation.hpp.

}  // namespace herald::protocol
