// WaitingList: requests for one URL that find no fresh copy on their shard wait behind
// the first one's trip to the cache's thread (Varnish's waiting list). When the leader
// comes back with a fresh copy (a hit, or a fill it stored), every waiter is answered
// from that copy on its own shard: a storm of N cold requests costs the cache's thread
// one request per URL instead of N, and the waiters are released by their shards in
// parallel. A waiter that gets no copy (the answer could not be shared) goes the full
// way itself, where the cache still collapses it; and for a while after such a trip
// (kPassMemory) requests for that URL do not wait at all, so that answers that are
// never shared (private, no-store, errors, the bus down) are not queued behind one
// another (Varnish's hit-for-miss).
//
// Thread: every member from any thread (one mutex; the cold path only takes it).
// A waiter resumes on its own executor (its handler's). Cost: one map entry per URL in
// flight, one type-erased handler per waiter.
#pragma once

#include "proxy/fresh_copy.hpp"

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace herald::proxy {

class WaitingList {
 public:
  using Copy = std::shared_ptr<const FreshCopy>;

  /// The right to lead the trip for one URL; release() (or destruction, with no copy)
  /// wakes its waiters.
  class Lead {
   public:
    Lead() = default;
    Lead(WaitingList* list, std::string key) : list_(list), key_(std::move(key)) {}
    Lead(Lead&& o) noexcept : list_(std::exchange(o.list_, nullptr)), key_(std::move(o.key_)) {}
    Lead& operator=(Lead&& o) noexcept {
      if (this != &o) {
        release(nullptr);
        list_ = std::exchange(o.list_, nullptr);
        key_ = std::move(o.key_);
      }
      return *this;
    }
    ~Lead() { release(nullptr); }
    explicit operator bool() const noexcept { return list_ != nullptr; }
    void release(Copy copy) {
      if (auto* l = std::exchange(list_, nullptr)) l->release(key_, std::move(copy));
    }

   private:
    WaitingList* list_ = nullptr;
    std::string key_;
  };

  /// How long a URL whose last trip brought no copy is not waited for.
  static constexpr std::chrono::seconds kPassMemory{5};
  static constexpr std::size_t kMaxUnshared = 10'000;  ///< remembered keys at most

  /// Leads the trip for `key` when none is under way (the Lead is set, nothing waited
  /// for); otherwise waits for the leader and returns its copy (null: none to share).
  /// Neither (no Lead, null at once) while `key` is remembered as not shared.
  boost::asio::awaitable<Copy> join(const std::string& key, Lead& lead);

  std::size_t in_flight() const;

 private:
  /// A suspended waiter: its completion and the executor it resumes on.
  struct Waiter {
    boost::asio::any_io_executor executor;
    boost::asio::any_completion_handler<void(Copy)> handler;
  };
  void release(const std::string& key, Copy copy);
  /// Runs the waiter's handler with `copy` on its own executor, never inline.
  static void resume(Waiter waiter, Copy copy);

  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::vector<Waiter>> waiting_;  ///< key present: led
  /// Keys whose last trip brought no copy, and until when that is remembered.
  std::unordered_map<std::string, std::chrono::steady_clock::time_point> unshared_;
};

}  // namespace herald::proxy
