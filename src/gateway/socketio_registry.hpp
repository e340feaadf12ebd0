// SocketIoRegistry: the live Socket.IO sessions by Engine.IO sid, for the requests
// that name one (polling GET/POST and the WebSocket upgrade), which may arrive on any
// shard. Any thread (one mutex); sessions register on start and leave when they end.
// Cost: O(1) per call.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace herald::gateway {

class SocketIoSession;

class SocketIoRegistry {
 public:
  void add(const std::string& sid, const std::shared_ptr<SocketIoSession>& session) {
    std::lock_guard lock(mutex_);
    sessions_[sid] = session;
  }
  void remove(const std::string& sid) {
    std::lock_guard lock(mutex_);
    sessions_.erase(sid);
  }
  /// The session, or nullptr when the sid is unknown or the session ended.
  std::shared_ptr<SocketIoSession> find(const std::string& sid) const {
    std::lock_guard lock(mutex_);
    auto it = sessions_.find(sid);
    return it == sessions_.end() ? nullptr : it->second.lock();
  }

 private:
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::weak_ptr<SocketIoSession>> sessions_;
};

}  // namespace herald::gateway
