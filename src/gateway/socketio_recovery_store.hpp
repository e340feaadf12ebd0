// SocketIoRecoveryStore: the recovery logs of ended Socket.IO sessions, by their
// `pid`, for `max_disconnection` (socket.io's default maxDisconnectionDuration: 2
// minutes). Node-local: a client that reconnects to another node is not recovered
// (socket.io's Redis adapter does not recover either). Any thread (one mutex).
// Cost: O(1) per call plus a sweep of expired entries on insert.
#pragma once

#include "gateway/socketio_recovery_log.hpp"

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace herald::gateway {

class SocketIoRecoveryStore {
 public:
  static constexpr std::chrono::minutes max_disconnection{2};

  struct Entry {
    std::string user;
    SocketIoRecoveryLog log;
    std::chrono::steady_clock::time_point expires;
  };

  void put(const std::string& pid, std::string user, SocketIoRecoveryLog log) {
    auto now = std::chrono::steady_clock::now();
    std::lock_guard lock(mutex_);
    if (++puts_ % 64 == 0) {
      for (auto it = entries_.begin(); it != entries_.end();)
        it = it->second.expires < now ? entries_.erase(it) : std::next(it);
    }
    entries_[pid] = Entry{std::move(user), std::move(log), now + max_disconnection};
  }
  /// Takes the entry (a pid recovers once), nullopt if unknown or expired.
  std::optional<Entry> take(const std::string& pid) {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(pid);
    if (it == entries_.end()) return std::nullopt;
    Entry e = std::move(it->second);
    entries_.erase(it);
    if (e.expires < std::chrono::steady_clock::now()) return std::nullopt;
    return e;
  }

 private:
  std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
  std::size_t puts_ = 0;
};

}  // namespace herald::gateway
