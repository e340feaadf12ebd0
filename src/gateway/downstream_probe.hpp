// sample_downstream: how many bytes a connection's kernel send buffer holds (written
// by Herald, not yet acknowledged by the peer: unsent, or sent and in flight), from
// SIOCOUTQ. Publish backpressure counts a connection's queue, but on loopback the
// kernel takes a whole segment (up to 64 KB) whatever SO_SNDBUF says, so a reader that
// falls behind first fills its send buffer, which no queue sees: at S2's rates ~50 KB
// per connection, seconds of lag before the queue grew (docs/benchmarks.md, issue 14
// step 3c). What the peer has acknowledged but not read (its receive buffer) stays
// invisible to a sender: Linux announces a reader's freed window lazily, so no
// estimate of it is exact (same section).
//
// Thread: the connection's shard thread. Cost: one ioctl; callers sample after
// batched writes (a backlog) and while a previous sample found bytes there, not per
// frame. A failing call leaves the queue's figure as it was.
#pragma once

#include "gateway/send_queue.hpp"

#include <chrono>
#include <cstddef>

namespace herald::gateway {

/// Sets queue.set_downstream() from socket `fd`'s SIOCOUTQ.
void sample_downstream(SendQueue& queue, int fd,
                       std::chrono::steady_clock::time_point now) noexcept;

/// For a writer, after it wrote `frames` frames of `bytes` bytes and released them
/// from the queue: samples when the write shows a backlog (frames waited: more than
/// one, or 4 KiB and more) or the last sample found bytes in the send buffer. A lone
/// small frame means the reader keeps up, and a syscall per frame would cost about a
/// tenth of the fan-out's CPU.
void sample_downstream_after_write(SendQueue& queue, int fd, std::size_t frames, std::size_t bytes,
                                   std::chrono::steady_clock::time_point now) noexcept;

/// The stall sweep's step for one connection (Connection::exclude_if_stalled, the same
/// for every transport): a queue whose last sample found bytes in the send buffer is
/// sampled again (its writer may be idle meanwhile), then leaves the gauge if it has
/// not moved for `stall` (SendQueue::exclude_if_stalled). `fd` < 0: no socket (a
/// Socket.IO polling session), nothing to sample.
void sweep_downstream(SendQueue& queue, int fd, std::chrono::steady_clock::time_point now,
                      std::chrono::steady_clock::duration stall) noexcept;

}  // namespace herald::gateway
