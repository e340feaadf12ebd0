// KeyedFlights<T>: concurrent calls for one key on one executor share one run. The
// first caller (the leader) runs its function; callers that arrive while it runs wait
// and get a copy of its result. The cache already shares one *load* per key, but only
// after each caller's own L2 read; with a thousand clients on a cold URL those reads
// alone (a thousand Redis round trips on one thread) can pass the cache's Redis
// timeout under load, and a timed-out read makes the cache load without its lock:
// a second upstream request. Sharing the whole read keeps it at one per key per node.
//
// Thread: one executor (the cache's); not thread-safe. Cost: one map lookup per call;
// followers copy T.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

namespace herald::proxy {

template <class T>
class KeyedFlights {
 public:
  explicit KeyedFlights(boost::asio::any_io_executor ex) : ex_(std::move(ex)) {}

  /// `fn()` -> awaitable<T>, run unless a run for `key` is under way (then its result).
  /// `*leader` (when given) tells which of the two happened.
  template <class Fn>
  boost::asio::awaitable<T> run(std::string key, Fn fn, bool* leader = nullptr) {
    if (auto it = flights_.find(key); it != flights_.end()) {
      std::shared_ptr<Flight> flight = it->second;
      if (leader != nullptr) *leader = false;
      co_await flight->done.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
      if (flight->result) co_return *flight->result;
      std::rethrow_exception(flight->error);
    }
    auto flight = std::make_shared<Flight>(ex_);
    flights_.emplace(key, flight);
    if (leader != nullptr) *leader = true;
    try {
      flight->result.emplace(co_await fn());
    } catch (...) {
      flight->error = std::current_exception();
    }
    flights_.erase(key);
    flight->done.cancel();
    if (!flight->result) std::rethrow_exception(flight->error);
    co_return *flight->result;
  }

 private:
  struct Flight {
    explicit Flight(const boost::asio::any_io_executor& ex) : done(ex) {
      done.expires_at(boost::asio::steady_timer::time_point::max());
    }
    boost::asio::steady_timer done;  ///< cancelled when the leader is done
    std::optional<T> result;
    std::exception_ptr error;
  };
  boost::asio::any_io_executor ex_;
  std::unordered_map<std::string, std::shared_ptr<Flight>> flights_;
};

}  // namespace herald::proxy
