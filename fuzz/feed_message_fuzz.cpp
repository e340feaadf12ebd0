// Fuzzes what the Redis engine reads off the wire from other nodes (feed payloads,
// control messages, feed channel names, stream ids) and drives a ChannelFeed with an
// arbitrary sequence of events, checking its invariant: delivered messages of one
// epoch have strictly increasing, consecutive offsets unless a loss marker sits
// between them.
#include "realtime/core/channel_feed.hpp"
#include "realtime/core/redis_layout.hpp"

#include <herald/protocol/publish_body.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

using namespace herald::realtime;

void check(const FeedStep& step, std::uint64_t& last, std::string& epoch, bool& lost) {
  for (const auto& p : step.out) {
    if (p->kind == Publication::Kind::lost) {
      lost = true;
      continue;
    }
    if (!lost && p->epoch == epoch && last != 0 && p->offset != last + 1) std::abort();
    lost = false;
    last = p->offset;
    epoch = p->epoch;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  namespace layout = redis_layout;
  if (auto m = layout::decode_feed(text)) {
    if (m->offset == 0 || m->epoch.empty()) std::abort();
    if (!m->event.empty() && !herald::protocol::valid_event_name(m->event)) std::abort();
    // What encode_feed writes, decode_feed reads back.
    const std::string encoded = layout::encode_feed(m->offset, m->epoch, m->data, m->event);
    auto again = layout::decode_feed(encoded);  // views into `encoded`
    if (!again || again->epoch != m->epoch || again->data != m->data || again->event != m->event)
      std::abort();
  }
  (void)layout::decode_disconnect(text);
  (void)layout::channel_of_feed(text);
  (void)layout::offset_of_stream_id(text);

  // Bytes as events: 0-3 live (small offsets, two epochs), 4 a head read sent (its
  // snapshot kept, so live messages can overtake it), 5 a head answer (to the kept
  // read, else to one sent just now), 6 fill answered, 7 fill failed.
  ChannelFeed feed("c", 8);
  std::optional<FillRequest> pending;
  std::optional<HeadRead> asked;
  std::uint64_t last = 0;
  std::string epoch;
  bool lost = true;  // nothing delivered yet: the first message starts the sequence
  for (std::size_t i = 0; i + 1 < size; i += 2) {
    const std::uint8_t op = data[i] % 8;
    const std::uint64_t offset = 1 + data[i + 1] % 32;
    const std::string e = (data[i + 1] & 0x80) ? "e2" : "e1";
    FeedStep step;
    if (op <= 3) {
      step = feed.on_live(make_publication("c", offset, e, "{}"));
    } else if (op == 4) {
      asked = feed.head_read();
    } else if (op == 5) {
      step = feed.on_head(offset, e, asked ? *asked : feed.head_read());
      asked.reset();
    } else if (pending) {
      std::optional<std::vector<PublicationPtr>> entries;
      if (op == 6) {
        entries.emplace();
        for (auto o = pending->from; o <= pending->to; ++o)
          entries->push_back(make_publication("c", o, feed.epoch(), "{}"));
      }
      step = feed.on_filled(*pending, std::move(entries));
      pending.reset();
    }
    check(step, last, epoch, lost);
    if (step.fill) pending = step.fill;
  }
  return 0;
}
