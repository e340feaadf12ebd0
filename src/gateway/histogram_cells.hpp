// HistogramCells: the counters of one latency histogram on one shard (non-cumulative
// per bucket, the last one +Inf, plus the sum), summed over shards and made
// cumulative when /metrics is rendered (Metrics::render).
//
// Thread: written by one shard thread, read by any (relaxed atomics). Cost of
// observe(): a scan of at most N bounds and two relaxed atomic adds.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>

namespace herald::gateway {

template <std::size_t N>
struct HistogramCells {
  std::array<std::atomic<std::uint64_t>, N + 1> counts{};  ///< per bucket; last = +Inf
  std::atomic<std::uint64_t> sum_ns{0};

  /// Counts one observation of `d` against upper bounds `bounds` (seconds, ascending).
  void observe(const std::array<double, N>& bounds,
               std::chrono::steady_clock::duration d) noexcept {
    const double seconds = std::chrono::duration<double>(d).count();
    std::size_t i = 0;
    while (i < N && seconds > bounds[i]) ++i;
    counts[i].fetch_add(1, std::memory_order_relaxed);
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
    sum_ns.fetch_add(ns > 0 ? static_cast<std::uint64_t>(ns) : 0, std::memory_order_relaxed);
  }
};

}  // namespace herald::gateway
