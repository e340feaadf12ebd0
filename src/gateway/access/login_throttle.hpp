// LoginThrottle: slows password guessing at the admin console's login. Each failed
// attempt from a client address locks that address out for a delay that doubles with
// every consecutive failure (1 s, 2 s, 4 s ... capped at max_delay); a success clears
// it. Attempts during a lock-out are refused (429 with Retry-After) without checking
// the password. At most max_clients addresses are tracked: when full, entries whose
// lock-out has ended are dropped, then the oldest.
// Thread: any (one mutex). Cost: O(1) per call, O(max_clients) when the table is full.
// Sans-io: the caller passes `now`.
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace herald::gateway {

class LoginThrottle {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::seconds first_delay{1};
  static constexpr std::chrono::seconds max_delay{60};
  static constexpr std::size_t max_clients = 10000;

  /// nullopt when `client` may try now; else how long it must wait (>= 1 s, rounded up).
  std::optional<std::chrono::seconds> wait_before(std::string_view client, Clock::time_point now);
  /// Records a failed attempt: the next one waits (doubling per consecutive failure).
  void failed(std::string_view client, Clock::time_point now);
  /// Records a success: the address's failures are forgotten.
  void succeeded(std::string_view client);

 private:
  struct Entry {
    unsigned failures = 0;
    Clock::time_point locked_until;
  };
  void make_room(Clock::time_point now);

  std::mutex mutex_;
  std::unordered_map<std::string, Entry> clients_;
};

}  // namespace herald::gateway
