// UpstreamServer: blocking accept/read/write loops (see upstream_server.hpp).
#include "integration/proxy/upstream_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace herald::test {

UpstreamServer::UpstreamServer(Handler handler) : handler_(std::move(handler)) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_, 512) != 0)
    throw std::runtime_error("upstream: bind/listen failed");
  socklen_t len = sizeof addr;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { accept_loop(); });
}

UpstreamServer::~UpstreamServer() {
  stop();
}

void UpstreamServer::stop() {
  if (stopping_.exchange(true)) return;
  ::shutdown(listen_fd_, SHUT_RDWR);
  if (acceptor_.joinable()) acceptor_.join();
  ::close(listen_fd_);
  std::vector<std::thread> threads;
  {
    std::lock_guard lock{mutex_};
    for (int fd : fds_) ::shutdown(fd, SHUT_RDWR);
    threads.swap(threads_);
  }
  for (auto& t : threads) t.join();
}

void UpstreamServer::accept_loop() {
  while (!stopping_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    const int fd = ::accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) continue;
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    std::lock_guard lock{mutex_};
    if (stopping_) {
      ::close(fd);
      break;
    }
    fds_.push_back(fd);
    threads_.emplace_back([this, fd] { serve(fd); });
  }
}

std::size_t UpstreamServer::count(const std::string& target) const {
  std::lock_guard lock{mutex_};
  auto it = counts_.find(target);
  return it == counts_.end() ? 0 : it->second;
}

UpstreamRequest UpstreamServer::last(const std::string& target) const {
  std::lock_guard lock{mutex_};
  auto it = last_.find(target);
  return it == last_.end() ? UpstreamRequest{} : it->second;
}

std::string UpstreamServer::ok(const std::string& body, const std::string& extra) {
  return "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" + extra +
         "\r\n" + body;
}

void UpstreamServer::serve(int fd) {
  std::string buf;
  char chunk[16384];
  bool open = true;
  while (open && !stopping_) {
    std::size_t end;
    while ((end = buf.find("\r\n\r\n")) == std::string::npos) {
      const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
      if (n <= 0) {
        open = false;
        break;
      }
      buf.append(chunk, static_cast<std::size_t>(n));
    }
    if (!open) break;
    UpstreamRequest req;
    const std::string head = buf.substr(0, end);
    buf.erase(0, end + 4);
    std::size_t line_end = head.find("\r\n");
    const std::string first = head.substr(0, line_end);
    const auto sp1 = first.find(' ');
    const auto sp2 = first.rfind(' ');
    req.method = first.substr(0, sp1);
    req.target = first.substr(sp1 + 1, sp2 - sp1 - 1);
    std::size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
    while (pos < head.size()) {
      std::size_t e = head.find("\r\n", pos);
      if (e == std::string::npos) e = head.size();
      const std::string line = head.substr(pos, e - pos);
      const auto colon = line.find(':');
      if (colon != std::string::npos) {
        std::string name = line.substr(0, colon);
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        std::string value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') value.erase(0, 1);
        req.headers[name] = value;
      }
      pos = e + 2;
    }
    if (auto it = req.headers.find("content-length"); it != req.headers.end()) {
      const std::size_t want = std::stoul(it->second);
      while (buf.size() < want) {
        const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
        if (n <= 0) break;
        buf.append(chunk, static_cast<std::size_t>(n));
      }
      buf.erase(0, std::min(want, buf.size()));
    }
    {
      std::lock_guard lock{mutex_};
      ++counts_[req.target];
      last_[req.target] = req;
    }
    ++total_;
    const std::string answer = handler_(req);
    if (answer == kClose) break;
    if (answer == kHang) {
      while (!stopping_ && ::recv(fd, chunk, sizeof chunk, 0) > 0) {
      }
      break;
    }
    std::size_t sent = 0;
    while (sent < answer.size()) {
      const ssize_t n = ::send(fd, answer.data() + sent, answer.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) {
        open = false;
        break;
      }
      sent += static_cast<std::size_t>(n);
    }
    if (answer.find("Connection: close") != std::string::npos) break;
  }
  ::shutdown(fd, SHUT_RDWR);
  std::lock_guard lock{mutex_};
  ::close(fd);
  fds_.erase(std::remove(fds_.begin(), fds_.end(), fd), fds_.end());
}

}  // namespace herald::test
