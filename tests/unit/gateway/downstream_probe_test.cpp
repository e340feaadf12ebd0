// sample_downstream against a real loopback TCP connection: bytes the kernel holds in
// the sender's buffer (the peer does not read) reach the queue and the shard's gauge,
// and leave them once the peer has read everything.
#include "gateway/downstream_probe.hpp"

#include "support/eventually.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <string>

namespace herald::gateway {
namespace {

// A connected loopback pair; `sender` is non-blocking, `reader` has a small buffer.
struct TcpPair {
  int sender = -1;
  int reader = -1;
  TcpPair() {
    int listener = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    EXPECT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    EXPECT_EQ(::listen(listener, 1), 0);
    EXPECT_EQ(::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len), 0);
    reader = ::socket(AF_INET, SOCK_STREAM, 0);
    int small = 4096;
    ::setsockopt(reader, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    EXPECT_EQ(::connect(reader, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    sender = ::accept(listener, nullptr, nullptr);
    ::close(listener);
    ::fcntl(sender, F_SETFL, ::fcntl(sender, F_GETFL) | O_NONBLOCK);
  }
  ~TcpPair() {
    ::close(sender);
    ::close(reader);
  }
  int unacknowledged() const {
    int n = -1;
    ::ioctl(sender, SIOCOUTQ, &n);
    return n;
  }
};

TEST(DownstreamProbe, BytesInTheSendBufferCountUntilThePeerReadsThem) {
  TcpPair pair;
  ASSERT_GE(pair.sender, 0);
  std::atomic<std::int64_t> gauge{0};
  SendQueue queue(1 << 20, &gauge);
  // A lone small write: the reader keeps up, no sample (no syscall).
  ASSERT_EQ(::send(pair.sender, "x", 1, 0), 1);
  sample_downstream_after_write(queue, pair.sender, 1, 1, std::chrono::steady_clock::now());
  EXPECT_EQ(queue.downstream(), 0u);
  // The reader reads nothing: fill the sender's buffer until the kernel refuses more.
  std::string chunk(16 * 1024, 'x');
  while (::send(pair.sender, chunk.data(), chunk.size(), MSG_DONTWAIT) > 0) {
  }
  int held = pair.unacknowledged();
  ASSERT_GT(held, 0);
  sample_downstream_after_write(queue, pair.sender, 1, chunk.size(),
                                std::chrono::steady_clock::now());
  EXPECT_EQ(queue.downstream(), static_cast<std::size_t>(held));
  EXPECT_EQ(gauge.load(), held);
  // The reader drains everything: the kernel sends the rest and it is acknowledged.
  char buf[65536];
  ASSERT_TRUE(test::eventually([&] {
    while (::recv(pair.reader, buf, sizeof buf, MSG_DONTWAIT) > 0) {
    }
    return pair.unacknowledged() == 0;
  }));
  // A sample while bytes were counted is taken whatever the write (here none).
  sample_downstream_after_write(queue, pair.sender, 0, 0, std::chrono::steady_clock::now());
  EXPECT_EQ(queue.downstream(), 0u);
  EXPECT_EQ(gauge.load(), 0);
}

}  // namespace
}  // namespace herald::gateway
