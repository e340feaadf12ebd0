// enforce_rate_limit: see rate_limit_enforcement.hpp.
#include "gateway/rate_limit_enforcement.hpp"

#include "gateway/connection.hpp"
#include "gateway/log_event.hpp"
#include "gateway/metrics.hpp"

namespace herald::gateway {

bool enforce_rate_limit(RateLimiter::Verdict verdict, Connection& connection,
                        std::string_view transport, ShardMetrics& metrics) {
  if (verdict == RateLimiter::Verdict::allow) return false;
  metrics.rate_limited.fetch_add(1, std::memory_order_relaxed);
  if (verdict == RateLimiter::Verdict::disconnect) {
    LogEvent(spdlog::level::warn, "rate_limit_disconnect",
             "kept exceeding the rate limit: disconnecting")
        .add("conn", connection.id())
        .add("transport", transport)
        .add("user", connection.user())
        .emit();
    connection.close(1008, "rate limit exceeded", true);
  }
  return true;
}

}  // namespace herald::gateway
