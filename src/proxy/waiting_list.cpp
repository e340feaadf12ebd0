// WaitingList: one trip to the cache's thread per URL in flight; waiters are handed
// the leader's copy on their own executors.
#include "proxy/waiting_list.hpp"

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/post.hpp>

namespace herald::proxy {

namespace asio = boost::asio;

asio::awaitable<WaitingList::Copy> WaitingList::join(const std::string& key, Lead& lead) {
  {
    std::lock_guard lock(mutex_);
    if (auto it = unshared_.find(key); it != unshared_.end()) {
      if (std::chrono::steady_clock::now() < it->second) co_return nullptr;
      unshared_.erase(it);
    }
    if (waiting_.try_emplace(key).second) {
      lead = Lead(this, key);
      co_return nullptr;
    }
  }
  // Between the check above and the registration below the leader may release: the
  // handler is registered under the lock only if the key is still led, else completes
  // at once with no copy (the caller then goes the full way).
  auto wait = [this, key](auto handler) {
    Waiter w{asio::get_associated_executor(handler), std::move(handler)};
    std::unique_lock lock(mutex_);
    auto it = waiting_.find(key);
    if (it == waiting_.end()) {
      lock.unlock();
      resume(std::move(w), nullptr);
      return;
    }
    it->second.push_back(std::move(w));
  };
  // Named, not a temporary inside the co_await: g++ 12 mishandles those.
  auto op = asio::async_initiate<decltype(asio::use_awaitable), void(Copy)>(std::move(wait),
                                                                            asio::use_awaitable);
  Copy copy = co_await std::move(op);
  co_return copy;
}

void WaitingList::release(const std::string& key, Copy copy) {
  std::vector<Waiter> waiters;
  {
    std::lock_guard lock(mutex_);
    auto it = waiting_.find(key);
    if (it == waiting_.end()) return;
    waiters = std::move(it->second);
    waiting_.erase(it);
    if (!copy) {
      if (unshared_.size() >= kMaxUnshared) unshared_.clear();  // bound: forget them all
      unshared_[key] = std::chrono::steady_clock::now() + kPassMemory;
    }
  }
  // Each resumes on its own executor (the shard it came from), never inline here.
  for (auto& h : waiters) resume(std::move(h), copy);
}

void WaitingList::resume(Waiter waiter, Copy copy) {
  asio::post(waiter.executor, [h = std::move(waiter.handler), c = std::move(copy)]() mutable {
    std::move(h)(std::move(c));
  });
}

std::size_t WaitingList::in_flight() const {
  std::lock_guard lock(mutex_);
  return waiting_.size();
}

}  // namespace herald::proxy
