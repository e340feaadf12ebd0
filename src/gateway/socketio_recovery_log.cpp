// SocketIoRecoveryLog: positions for socket.io connection state recovery (see
// socketio_recovery_log.hpp).
#include "gateway/socketio_recovery_log.hpp"

#include "gateway/sse_session.hpp"

namespace herald::gateway {

void SocketIoRecoveryLog::unsubscribed(const std::string& channel) {
  floor_.erase(channel);
}

void SocketIoRecoveryLog::sent(const realtime::PublicationPtr& p) {
  if (p->kind != realtime::Publication::Kind::message) return;
  if (sent_.size() < capacity) {
    sent_.push_back(p);
    return;
  }
  const realtime::Publication& oldest = *sent_[head_];
  if (auto it = floor_.find(oldest.channel); it != floor_.end())
    it->second = realtime::StreamPosition{oldest.offset, oldest.epoch};
  evicted_ = true;
  sent_[head_] = p;
  head_ = (head_ + 1) % capacity;
}

std::optional<std::map<std::string, realtime::StreamPosition>> SocketIoRecoveryLog::positions(
    std::string_view offset) const {
  std::map<std::string, realtime::StreamPosition> out = floor_;
  if (offset.empty()) {
    if (evicted_) return std::nullopt;  // it may have received evicted ones
    return out;
  }
  // The same "<channel>:<epoch>:<offset>" form as SSE ids.
  auto parsed = parse_sse_positions(offset);
  if (parsed.size() != 1) return std::nullopt;
  const auto& [channel, position] = *parsed.begin();
  std::size_t anchor = sent_.size();
  for (std::size_t i = sent_.size(); i-- > 0;) {
    const auto& p = at(i);
    if (p.channel == channel && p.epoch == position.epoch && p.offset == position.offset) {
      anchor = i;
      break;
    }
  }
  if (anchor == sent_.size()) return std::nullopt;
  for (std::size_t i = 0; i <= anchor; ++i) {
    const auto& p = at(i);
    if (auto it = out.find(p.channel); it != out.end())
      it->second = realtime::StreamPosition{p.offset, p.epoch};
  }
  return out;
}

std::string SocketIoRecoveryLog::offset_of(const realtime::Publication& p) {
  return p.channel + ":" + p.epoch + ":" + std::to_string(p.offset);
}

}  // namespace herald::gateway
