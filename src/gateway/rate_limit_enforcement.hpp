// Carrying out a RateLimiter verdict on a live connection: the one place the
// WebSocket and Socket.IO sessions share for counting a refused frame and for cutting
// off a client that keeps sending while limited (warn log `rate_limit_disconnect`,
// close 1008 with reconnect allowed). What a refused frame gets otherwise (an error
// frame with 429, or nothing) stays the transport's. Shard thread; cost O(1).
#pragma once

#include "gateway/rate_limiter.hpp"

#include <string_view>

namespace herald::gateway {

class Connection;
struct ShardMetrics;

/// allow: false, nothing done. refuse: counted in `metrics.rate_limited`, true (the
/// caller answers or drops the frame). disconnect: counted, logged with `transport`,
/// `connection` closed with 1008, true.
bool enforce_rate_limit(RateLimiter::Verdict verdict, Connection& connection,
                        std::string_view transport, ShardMetrics& metrics);

}  // namespace herald::gateway
