// ChannelFeed: ordering, gap filling and loss marking for one channel's live feed
// (see channel_feed.hpp for the invariants).
#include "realtime/core/channel_feed.hpp"

#include <utility>

namespace herald::realtime {

ChannelFeed::ChannelFeed(std::string channel, std::size_t max_held)
    : channel_(std::move(channel)), max_held_(max_held == 0 ? 1 : max_held) {}

void ChannelFeed::mark_lost(FeedStep& step) {
  step.out.push_back(make_loss_marker(channel_));
}

void ChannelFeed::advance(PublicationPtr p, FeedStep& step) {
  if (p->epoch != epoch_) {
    // The stream was recreated (Redis lost it): offsets restarted, nothing before
    // this publication in the new epoch can be trusted to have reached us.
    mark_lost(step);
    epoch_ = p->epoch;
    last_ = p->offset;
    step.out.push_back(std::move(p));
    return;
  }
  if (p->offset <= last_) return;  // already delivered (a fill overlapped the feed)
  if (p->offset == last_ + 1) {
    last_ = p->offset;
    step.out.push_back(std::move(p));
    return;
  }
  // A jump: read the missing range from history; this one waits at the front.
  filling_ = true;
  step.fill = FillRequest{last_ + 1, p->offset - 1, ++generation_};
  held_.push_front(std::move(p));
}

void ChannelFeed::replay_held(FeedStep& step) {
  while (!filling_ && !held_.empty()) {
    PublicationPtr p = std::move(held_.front());
    held_.pop_front();
    advance(std::move(p), step);
  }
}

FeedStep ChannelFeed::on_live(PublicationPtr publication) {
  FeedStep step;
  if (!known_ || filling_) {
    if (held_.size() >= max_held_) {
      // Too far behind to catch up in order: drop the backlog, say so, resume live.
      held_.clear();
      if (known_) mark_lost(step);
      known_ = true;
      filling_ = false;
      ++generation_;  // the pending fill's answer no longer applies
      epoch_ = publication->epoch;
      last_ = publication->offset;
      step.out.push_back(std::move(publication));
      return step;
    }
    held_.push_back(std::move(publication));
    return step;
  }
  advance(std::move(publication), step);
  return step;
}

FeedStep ChannelFeed::on_head(std::uint64_t offset, const std::string& epoch,
                              const HeadRead& asked) {
  FeedStep step;
  if (!known_) {
    known_ = true;
    epoch_ = epoch;
    last_ = offset;
    replay_held(step);
    return step;
  }
  if (filling_) return step;  // the fill catches up; later jumps start their own
  if (epoch != epoch_) {
    // The feed moved to a new epoch while the read was in flight: the read is older.
    if (epoch == asked.epoch && asked.epoch != epoch_) return step;
    mark_lost(step);
    epoch_ = epoch;
    last_ = offset;
    replay_held(step);
    return step;
  }
  if (offset < last_) {
    // Live messages overtook the read (or the epoch began after it): nothing lost.
    if (asked.epoch != epoch_ || offset >= asked.last) return step;
    // Redis went back in time (a failover to a replica that had not seen our latest
    // offsets, or a restore): what we delivered before the read past `offset` is
    // gone and the offsets will be reused. Subscribers must resynchronise.
    mark_lost(step);
    last_ = offset;
    replay_held(step);
    return step;
  }
  if (offset > last_) {
    filling_ = true;
    step.fill = FillRequest{last_ + 1, offset, ++generation_};
  }
  return step;
}

FeedStep ChannelFeed::on_filled(const FillRequest& request,
                                std::optional<std::vector<PublicationPtr>> entries) {
  FeedStep step;
  if (!filling_ || request.generation != generation_) return step;
  filling_ = false;
  bool complete = entries.has_value() && entries->size() == request.to - request.from + 1;
  if (complete) {
    std::uint64_t expect = request.from;
    for (const auto& p : *entries) {
      if (p->offset != expect++ || p->epoch != epoch_) {
        complete = false;
        break;
      }
    }
  }
  if (complete) {
    for (auto& p : *entries) step.out.push_back(std::move(p));
  } else {
    mark_lost(step);
  }
  last_ = request.to;
  replay_held(step);
  return step;
}

}  // namespace herald::realtime
