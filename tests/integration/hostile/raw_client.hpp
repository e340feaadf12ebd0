// RawClient: a blocking loopback TCP client on plain POSIX sockets, for the hostile
// tests: it sends exactly the bytes given (malformed requests, masked WebSocket frames
// built by hand), never reads unless told to, and reports resets and closes as they
// are. Every blocking call is bounded (SO_RCVTIMEO / SO_SNDTIMEO), so a server that
// hangs fails a test instead of hanging it. Also: /proc readers for a process's RSS
// and open descriptors.
#pragma once

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>

namespace herald::test {

class RawClient {
 public:
  /// Connects to 127.0.0.1:port. `receive_buffer` > 0 shrinks SO_RCVBUF first (a
  /// client that does not read then stalls the server's writes quickly).
  explicit RawClient(std::uint16_t port, int receive_buffer = 0,
                     std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) throw std::runtime_error("socket failed");
    if (receive_buffer > 0)
      ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
    set_timeout(timeout);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
      throw std::runtime_error("connect failed");
  }
  ~RawClient() {
    if (fd_ >= 0) ::close(fd_);
  }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  void set_timeout(std::chrono::milliseconds timeout) {
    timeval tv{static_cast<time_t>(timeout.count() / 1000),
               static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  }

  /// Sends all of `bytes`; the errno that stopped it (0: all sent).
  int send_all(std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EINTR) continue;
        return errno;
      }
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return 0;
  }

  /// Reads until the peer closes (or an error / timeout); everything read. `error`
  /// receives the errno that ended it (0: an orderly close).
  std::string read_to_close(int* error = nullptr) {
    std::string out;
    int err = 0;
    while (true) {
      char buf[8192];
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n > 0) {
        out.append(buf, static_cast<std::size_t>(n));
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      err = n == 0 ? 0 : errno;
      break;
    }
    if (error != nullptr) *error = err;
    return out;
  }

  /// Reads until `needle` is in what was read (or close / timeout); everything read.
  std::string read_until(std::string_view needle) {
    while (text_.find(needle) == std::string::npos) {
      char buf[8192];
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) break;
      text_.append(buf, static_cast<std::size_t>(n));
    }
    return text_;
  }
  /// Bytes read by read_until that the caller has not consumed.
  std::string& buffered() { return text_; }

  int fd() const { return fd_; }

 private:
  int fd_ = -1;
  std::string text_;
};

/// The status code of the first HTTP response in `text`; 0 if there is none.
inline unsigned http_status(std::string_view text) {
  if (!text.starts_with("HTTP/1.")) return 0;
  if (text.size() < 12) return 0;
  return static_cast<unsigned>(std::stoi(std::string(text.substr(9, 3))));
}

/// How many HTTP responses `text` holds (status lines at line starts).
inline int http_responses(std::string_view text) {
  int n = 0;
  for (std::size_t pos = 0; (pos = text.find("HTTP/1.", pos)) != std::string_view::npos; ++pos) {
    if (pos == 0 || text[pos - 1] == '\n') ++n;
  }
  return n;
}

/// A client WebSocket frame (masked, FIN set) with `opcode` and `payload`.
inline std::string ws_frame(std::uint8_t opcode, std::string_view payload) {
  std::string f;
  f += static_cast<char>(0x80 | opcode);
  const unsigned char mask[4] = {0x12, 0x34, 0x56, 0x78};
  if (payload.size() < 126) {
    f += static_cast<char>(0x80 | payload.size());
  } else if (payload.size() < 65536) {
    f += static_cast<char>(0x80 | 126);
    f += static_cast<char>(payload.size() >> 8);
    f += static_cast<char>(payload.size() & 0xFF);
  } else {
    f += static_cast<char>(0x80 | 127);
    for (int i = 7; i >= 0; --i) f += static_cast<char>((payload.size() >> (8 * i)) & 0xFF);
  }
  f.append(reinterpret_cast<const char*>(mask), 4);
  for (std::size_t i = 0; i < payload.size(); ++i)
    f += static_cast<char>(static_cast<unsigned char>(payload[i]) ^ mask[i % 4]);
  return f;
}

/// An upgrade request for /ws with `key` as Sec-WebSocket-Key.
inline std::string ws_upgrade(std::string_view key = "dGhlIHNhbXBsZSBub25jZQ==",
                              std::string_view target = "/ws") {
  std::string r = "GET ";
  r += target;
  r += " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
       "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ";
  r += key;
  r += "\r\n\r\n";
  return r;
}

/// Resident memory of process `pid` ("self" for this one), in KiB, from /proc.
inline long rss_kib(const std::string& pid = "self") {
  std::ifstream in("/proc/" + pid + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with("VmRSS:")) return std::stol(line.substr(6));
  }
  return -1;
}

/// Open descriptors of process `pid`, from /proc.
inline long open_fds(const std::string& pid = "self") {
  long n = 0;
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator("/proc/" + pid + "/fd", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec))
    ++n;
  return n;
}

}  // namespace herald::test
