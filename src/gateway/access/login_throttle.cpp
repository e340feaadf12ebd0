// LoginThrottle: per-address exponential lock-out after failed admin logins.
#include "login_throttle.hpp"

#include <algorithm>

namespace herald::gateway {

std::optional<std::chrono::seconds> LoginThrottle::wait_before(std::string_view client,
                                                               Clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto it = clients_.find(std::string(client));
  if (it == clients_.end() || it->second.locked_until <= now) return std::nullopt;
  auto left = it->second.locked_until - now;
  auto secs = std::chrono::ceil<std::chrono::seconds>(left);
  return std::max(secs, std::chrono::seconds{1});
}

void LoginThrottle::failed(std::string_view client, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto it = clients_.find(std::string(client));
  if (it == clients_.end()) {
    if (clients_.size() >= max_clients) make_room(now);
    it = clients_.emplace(std::string(client), Entry{}).first;
  }
  Entry& e = it->second;
  e.failures = std::min(e.failures + 1, 32u);
  auto delay = first_delay;
  for (unsigned i = 1; i < e.failures && delay < max_delay; ++i) delay *= 2;
  e.locked_until = now + std::min(delay, max_delay);
}

void LoginThrottle::succeeded(std::string_view client) {
  std::lock_guard lock(mutex_);
  clients_.erase(std::string(client));
}

void LoginThrottle::make_room(Clock::time_point now) {
  // Lock-outs that have ended keep only their failure count: dropping them lets an
  // attacker reset the doubling by filling the table, which max_clients bounds anyway.
  std::erase_if(clients_, [now](const auto& kv) { return kv.second.locked_until <= now; });
  if (clients_.size() < max_clients) return;
  auto oldest = std::min_element(
      clients_.begin(), clients_.end(),
      [](const auto& a, const auto& b) { return a.second.locked_until < b.second.locked_until; });
  clients_.erase(oldest);
}

}  // namespace herald::gateway
