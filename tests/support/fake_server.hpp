// FakeServer: a scripted TCP peer on a loopback port, for what a real redis-server
// will not do: accept and never answer (connect/handshake timeouts), or answer every
// command with bytes that are not RESP (protocol errors).
//
// It runs on its own thread with blocking poll(), so it works next to an
// io_context that the test runs on the test thread. Any number of clients; each one
// gets `reply` once per chunk of bytes it sends (never, when reply is nullopt).
// Thread: construct/destroy on the test thread; port()/accepted() from any thread.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <thread>

namespace herald::test {

class FakeServer {
 public:
  explicit FakeServer(std::optional<std::string> reply);
  ~FakeServer();
  FakeServer(const FakeServer&) = delete;
  FakeServer& operator=(const FakeServer&) = delete;

  std::uint16_t port() const noexcept { return port_; }
  std::string url() const;  ///< redis://127.0.0.1:<port>
  /// Connections accepted so far.
  std::size_t accepted() const noexcept { return accepted_.load(); }

 private:
  void run();

  std::optional<std::string> reply_;
  int listen_fd_ = -1;
  int wake_[2] = {-1, -1};  ///< the destructor writes to wake_[1] to end run()
  std::uint16_t port_ = 0;
  std::atomic<std::size_t> accepted_{0};
  std::thread thread_;
};

}  // namespace herald::test
