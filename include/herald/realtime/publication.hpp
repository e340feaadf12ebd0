// Publication: one message published on a channel, with its wire frame encoded once.
// The same immutable object is shared (shared_ptr<const Publication>) by the
// channel's history and by every subscriber's send queue; nobody copies the frame.
#pragma once

#include <herald/protocol/stream_position.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace herald::realtime {

using protocol::StreamPosition;

struct Publication {
  /// What a delivery means to the gateway.
  enum class Kind : std::uint8_t {
    /// A channel message with its offset and epoch (the normal case).
    message,
    /// A plain Pub/Sub message (`PUBLISH ws:<c>`): no offset, no history, at most
    /// once. Its frame carries no offset/epoch; subscribers pass it through without
    /// touching their recovery position.
    ephemeral,
    /// Not a message: the channel's live feed lost publications that history could not
    /// fill. The gateway closes the channel's subscribers with 3010 (insufficient
    /// state, reconnect), so their next recovery says what was lost.
    lost,
  };
  Kind kind = Kind::message;
  std::string channel;
  std::uint64_t offset = 0;
  std::string epoch;
  /// The Socket.IO event it is emitted as ("" = `message`; docs/protocol.md
  /// "Publication events"). Not part of the native frame.
  std::string event;
  /// The WebSocket frame (also the SSE `data:` payload): `message`, or `invalidate`
  /// on `tag:` channels.
  std::string frame;
  std::size_t data_pos = 0;  ///< where data() starts in `frame` (message frames)
  std::size_t data_size = 0;
  std::string data_copy;  ///< data() when the frame does not embed it (invalidate)
  /// When the engine accepted it: the start of the publish-to-deliver latency.
  std::chrono::steady_clock::time_point published_at;

  /// The publisher's raw JSON (a slice of `frame` for message frames).
  std::string_view data() const noexcept {
    if (!data_copy.empty()) return data_copy;
    return std::string_view(frame).substr(data_pos, data_size);
  }
};

using PublicationPtr = std::shared_ptr<const Publication>;

/// Encodes the frame once. Cost: one allocation of ~|data| + 100 bytes.
/// On a `tag:<tag>` channel whose data is an object with a `tags` member (what the
/// cache's invalidation bridge publishes), the frame is the protocol's `invalidate`
/// frame: {"type":"invalidate","channel":c,"offset":N,"epoch":"e","tags":[...]}.
/// `event`: see Publication::event (callers validate it).
PublicationPtr make_publication(std::string_view channel, std::uint64_t offset,
                                std::string_view epoch, std::string_view data_json,
                                std::string_view event = {});

/// `{"type":"message","channel":c,"data":<data_json>}`: a Kind::ephemeral publication.
PublicationPtr make_ephemeral_publication(std::string_view channel, std::string_view data_json);

/// A Kind::lost marker for `channel` (no frame).
PublicationPtr make_loss_marker(std::string_view channel);

/// The frame alone, sharing ownership with the publication (no copy).
inline std::shared_ptr<const std::string> frame_of(const PublicationPtr& p) {
  return std::shared_ptr<const std::string>(p, &p->frame);
}

}  // namespace herald::realtime
