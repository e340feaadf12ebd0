// sample_downstream: SIOCOUTQ -> SendQueue::set_downstream (see downstream_probe.hpp).
#include "gateway/downstream_probe.hpp"

#include <linux/sockios.h>
#include <sys/ioctl.h>

namespace herald::gateway {
namespace {

constexpr std::size_t sample_after_bytes = 4096;

}  // namespace

void sample_downstream(SendQueue& queue, int fd,
                       std::chrono::steady_clock::time_point now) noexcept {
  // Every byte counts: a per-connection allowance (4 KiB, 16 KiB) let the S2 lag grow
  // back to 0.7 s and more over 1,000 connections (docs/benchmarks.md, step 3c).
  int unacknowledged = 0;
  if (::ioctl(fd, SIOCOUTQ, &unacknowledged) != 0 || unacknowledged < 0) return;
  queue.set_downstream(static_cast<std::size_t>(unacknowledged), now);
}

void sample_downstream_after_write(SendQueue& queue, int fd, std::size_t frames, std::size_t bytes,
                                   std::chrono::steady_clock::time_point now) noexcept {
  if (frames > 1 || bytes >= sample_after_bytes || queue.downstream() != 0) {
    sample_downstream(queue, fd, now);
  }
}

void sweep_downstream(SendQueue& queue, int fd, std::chrono::steady_clock::time_point now,
                      std::chrono::steady_clock::duration stall) noexcept {
  if (fd >= 0 && queue.downstream() != 0) sample_downstream(queue, fd, now);
  queue.exclude_if_stalled(now, stall);
}

}  // namespace herald::gateway
