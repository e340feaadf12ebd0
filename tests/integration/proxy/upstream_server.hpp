// UpstreamServer: the app behind Herald in the proxy tests. A real HTTP/1.1 server on
// a loopback port, its own thread per connection (blocking sockets), that counts the
// requests it gets per path and answers each with the raw bytes its handler returns,
// so tests can send well-formed answers and malformed ones alike.
//
// Handler return values: the bytes to write (keep-alive unless they say otherwise);
// kClose: close without answering; kHang: never answer (the connection stays open
// until stop()).
// Thread: construct/stop on the test thread; count()/seen() from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace herald::test {

struct UpstreamRequest {
  std::string method;
  std::string target;
  std::map<std::string, std::string> headers;  ///< lower-case names (last one wins)
};

class UpstreamServer {
 public:
  static constexpr const char* kClose = "\x01close";
  static constexpr const char* kHang = "\x01hang";
  using Handler = std::function<std::string(const UpstreamRequest&)>;

  explicit UpstreamServer(Handler handler);
  ~UpstreamServer();
  UpstreamServer(const UpstreamServer&) = delete;
  UpstreamServer& operator=(const UpstreamServer&) = delete;

  std::uint16_t port() const noexcept { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  /// Requests received for `target` (exact, query included).
  std::size_t count(const std::string& target) const;
  std::size_t total() const noexcept { return total_.load(); }
  /// The last request received for `target` (empty if none).
  UpstreamRequest last(const std::string& target) const;
  /// Closes the listener and every connection, as a crash would (the port refuses).
  void stop();

  /// A 200 answer with `extra` header lines ("Name: value\r\n"...).
  static std::string ok(const std::string& body, const std::string& extra = "");

 private:
  void accept_loop();
  void serve(int fd);

  Handler handler_;
  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<std::size_t> total_{0};
  mutable std::mutex mutex_;
  std::map<std::string, std::size_t> counts_;
  std::map<std::string, UpstreamRequest> last_;
  std::vector<int> fds_;
  std::vector<std::thread> threads_;
  std::thread acceptor_;
};

}  // namespace herald::test
