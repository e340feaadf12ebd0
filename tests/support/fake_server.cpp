// FakeServer: a poll() loop over one listening socket, its clients and a wake pipe.
// Binds port 0 itself, so unlike RedisServer there is no port race.
#include "support/fake_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

namespace herald::test {

FakeServer::FakeServer(std::optional<std::string> reply) : reply_(std::move(reply)) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) throw std::runtime_error("socket failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_, 64) != 0 ||
      ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0 ||
      ::pipe2(wake_, O_CLOEXEC) != 0) {
    std::string err = std::strerror(errno);
    ::close(listen_fd_);
    throw std::runtime_error("FakeServer setup: " + err);
  }
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread([this] { run(); });
}

FakeServer::~FakeServer() {
  char b = 0;
  (void)!::write(wake_[1], &b, 1);
  thread_.join();
  ::close(wake_[0]);
  ::close(wake_[1]);
  ::close(listen_fd_);
}

std::string FakeServer::url() const {
  return "redis://127.0.0.1:" + std::to_string(port_);
}

void FakeServer::run() {
  std::vector<int> clients;
  for (;;) {
    std::vector<pollfd> fds;
    fds.push_back({wake_[0], POLLIN, 0});
    fds.push_back({listen_fd_, POLLIN, 0});
    for (int c : clients) fds.push_back({c, POLLIN, 0});
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[0].revents) break;
    if (fds[1].revents & POLLIN) {
      int c = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c >= 0) {
        clients.push_back(c);
        ++accepted_;
      }
    }
    std::vector<int> alive;
    for (std::size_t i = 2; i < fds.size(); ++i) {
      int c = fds[i].fd;
      bool keep = true;
      if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) {
        char buf[4096];
        ssize_t n = ::recv(c, buf, sizeof buf, 0);
        if (n <= 0) {
          keep = false;
        } else if (reply_) {
          keep = ::send(c, reply_->data(), reply_->size(), MSG_NOSIGNAL) >= 0;
        }
      }
      if (keep) {
        alive.push_back(c);
      } else {
        ::close(c);
      }
    }
    // Clients accepted in this round were not polled yet: keep them too.
    for (std::size_t i = fds.size() - 2; i < clients.size(); ++i) alive.push_back(clients[i]);
    clients = std::move(alive);
  }
  for (int c : clients) ::close(c);
}

}  // namespace herald::test
