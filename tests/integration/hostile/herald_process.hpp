// HeraldProcess: `herald serve` as a child process on a free loopback port, for the
// hostile tests where the server's own memory or descriptors are the point (read
// from /proc/<pid>). The binary is built next to the tests (same preset).
#pragma once

#include "integration/hostile/raw_client.hpp"
#include "support/free_port.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <csignal>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

namespace herald::test {

class HeraldProcess {
 public:
  /// Starts `herald serve --listen 127.0.0.1:<port> --log-level warn` plus `args`;
  /// started() is true once /healthz answered. `max_fds` > 0: the child's
  /// RLIMIT_NOFILE; `log_path` non-empty: its stdout and stderr go to that file.
  explicit HeraldProcess(std::vector<std::string> args = {}, int max_fds = 0,
                         const std::string& log_path = {}) {
    // build/<preset>/tests/<test binary> -> build/<preset>/src/app/herald
    auto self = std::filesystem::read_symlink("/proc/self/exe");
    auto bin = self.parent_path().parent_path() / "src" / "app" / "herald";
    if (!std::filesystem::exists(bin)) return;
    port_ = free_loopback_port();
    std::vector<std::string> argv_text = {
        "herald", "serve", "--listen", "127.0.0.1:" + std::to_string(port_), "--log-level", "warn"};
    argv_text.insert(argv_text.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_text) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_ = ::fork();
    if (pid_ == 0) {
      if (max_fds > 0) {
        rlimit limit{static_cast<rlim_t>(max_fds), static_cast<rlim_t>(max_fds)};
        ::setrlimit(RLIMIT_NOFILE, &limit);
      }
      if (!log_path.empty()) {
        int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        ::dup2(fd, 1);
        ::dup2(fd, 2);
      }
      ::execv(bin.c_str(), argv.data());
      ::_exit(127);
    }
    for (int i = 0; i < 200 && !started_; ++i) {
      try {
        RawClient c(port_, 0, std::chrono::seconds(2));
        c.send_all("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        started_ = http_status(c.read_to_close()) == 200;
      } catch (const std::exception&) {
      }
      if (!started_) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  ~HeraldProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  HeraldProcess(const HeraldProcess&) = delete;
  HeraldProcess& operator=(const HeraldProcess&) = delete;

  bool started() const { return started_; }
  std::uint16_t port() const { return port_; }
  std::string pid() const { return std::to_string(pid_); }
  /// Still running (not exited or crashed).
  bool alive() const {
    int status = 0;
    return pid_ > 0 && ::waitpid(pid_, &status, WNOHANG) == 0;
  }

 private:
  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
  bool started_ = false;
};

}  // namespace herald::test
