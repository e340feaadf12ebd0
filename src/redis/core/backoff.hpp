// Backoff: capped exponential reconnect delays with jitter.
// delay(n) = min(max, min * 2^n), then scaled by a random factor in [0.5, 1.5] so that
// many clients that lost the same server do not come back in lockstep.
// Sans-io and deterministic for a given seed (tests pass one).
#pragma once

#include <chrono>
#include <cstdint>
#include <random>

namespace herald::redis {

class Backoff {
 public:
  Backoff(std::chrono::milliseconds min, std::chrono::milliseconds max,
          std::uint64_t seed = std::random_device{}())
      : min_(min), max_(max < min ? min : max), rng_(seed) {}

  /// The delay before the next attempt; each call counts one more failure.
  std::chrono::milliseconds next() {
    auto base = min_;
    for (unsigned i = 0; i < attempts_ && base < max_; ++i) base *= 2;
    if (base > max_) base = max_;
    if (attempts_ < 64) ++attempts_;
    std::uniform_real_distribution<double> jitter(0.5, 1.5);
    auto ms = static_cast<std::int64_t>(static_cast<double>(base.count()) * jitter(rng_));
    return std::chrono::milliseconds{ms < 1 ? 1 : ms};
  }

  /// A connection succeeded: the next failure starts again from min.
  void reset() noexcept { attempts_ = 0; }
  unsigned attempts() const noexcept { return attempts_; }

 private:
  std::chrono::milliseconds min_;
  std::chrono::milliseconds max_;
  std::mt19937_64 rng_;
  unsigned attempts_ = 0;
};

}  // namespace herald::redis
