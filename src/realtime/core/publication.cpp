// make_publication(): encodes a publication's frame (`message`, or `invalidate` on
// `tag:` channels) exactly once.
#include <herald/realtime/publication.hpp>

#include <herald/protocol/invalidation.hpp>
#include <herald/protocol/server_frame.hpp>

namespace herald::realtime {

PublicationPtr make_publication(std::string_view channel, std::uint64_t offset,
                                std::string_view epoch, std::string_view data_json,
                                std::string_view event) {
  auto p = std::make_shared<Publication>();
  p->channel = std::string(channel);
  p->offset = offset;
  p->epoch = std::string(epoch);
  p->event = std::string(event);
  p->published_at = std::chrono::steady_clock::now();
  if (protocol::is_tag_channel(channel)) {
    if (auto frame = protocol::encode_invalidate_frame(channel, offset, epoch, data_json)) {
      p->frame = std::move(*frame);
      p->data_copy = std::string(data_json);
      return p;
    }
  }
  protocol::MessageFrame frame = protocol::encode_message(channel, offset, epoch, data_json);
  p->frame = std::move(frame.text);
  p->data_pos = frame.data_pos;
  p->data_size = frame.data_size;
  return p;
}

PublicationPtr make_ephemeral_publication(std::string_view channel, std::string_view data_json) {
  auto p = std::make_shared<Publication>();
  p->kind = Publication::Kind::ephemeral;
  p->channel = std::string(channel);
  p->published_at = std::chrono::steady_clock::now();
  std::string& out = p->frame;
  out.reserve(48 + channel.size() + data_json.size());
  out += R"({"type":"message","channel":)";
  protocol::append_json_string(out, channel);
  out += R"(,"data":)";
  p->data_pos = out.size();
  p->data_size = data_json.size();
  out += data_json;
  out += '}';
  return p;
}

PublicationPtr make_loss_marker(std::string_view channel) {
  auto p = std::make_shared<Publication>();
  p->kind = Publication::Kind::lost;
  p->channel = std::string(channel);
  p->published_at = std::chrono::steady_clock::now();
  return p;
}

}  // namespace herald::realtime
