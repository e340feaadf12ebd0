// RedisServer: spawns and supervises a private redis-server per test (see the header).
//
// Readiness is "the log says `Ready to accept connections` since our spawn, and PING
// on our port answers": the log line proves that *our* process owns the port (a
// free_loopback_port() race would otherwise let us PING someone else's server).
// Every child is reaped (no zombies); stop() removes the temp dir.
#include "support/redis_server.hpp"

#include "support/free_port.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <thread>

namespace herald::test {
namespace {

using Clock = std::chrono::steady_clock;

// Runs in a freshly forked child, before exec: async-signal-safe calls only.
// Dies with the forking thread, drops every inherited fd but stdio (a test's sockets
// must not stay open inside redis-server), and clears the signal mask.
void child_prepare(pid_t parent) {
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != parent) ::_exit(127);  // parent already gone
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
#ifdef SYS_close_range
  if (::syscall(SYS_close_range, 3u, ~0u, 0u) == 0) return;
#endif
  for (int fd = 3; fd < 4096; ++fd) ::close(fd);
}

std::vector<char*> make_argv(std::vector<std::string>& args) {
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  return argv;
}

std::string read_file_from(const std::string& path, long offset) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  in.seekg(offset);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

long file_size(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<long>(st.st_size) : 0;
}

// True once pid has exited (without reaping it, so the caller still owns it).
bool exited(pid_t pid) {
  siginfo_t info{};
  if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0)
    return true;  // not our child any more
  return info.si_pid == pid;
}

// One PING round trip on a blocking socket. "+PONG" and "-NOAUTH" both prove the
// server is up (a --requirepass server refuses PING before AUTH).
bool ping_once(std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  timeval tv{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  bool ok = false;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    static constexpr char kPing[] = "PING\r\n";
    if (::send(fd, kPing, sizeof kPing - 1, MSG_NOSIGNAL) == sizeof kPing - 1) {
      char buf[128];
      ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      ok = n > 0 && (buf[0] == '+' || buf[0] == '-');
    }
  }
  ::close(fd);
  return ok;
}

// Dirs are named herald-redis-<test pid>-XXXXXX. A test process killed outright
// (SIGKILL, timeout) cannot remove its dir; the next start() in any test removes
// the dirs of processes that no longer exist. (A reused pid only delays that.)
void remove_stale_dirs(const std::filesystem::path& tmp) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(tmp, ec)) {
    const std::string name = entry.path().filename().string();
    static constexpr std::string_view kPrefix = "herald-redis-";
    if (name.rfind(kPrefix, 0) != 0) continue;
    const long pid = std::strtol(name.c_str() + kPrefix.size(), nullptr, 10);
    if (pid <= 0 || (::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH)) {
      std::error_code ignored;
      std::filesystem::remove_all(entry.path(), ignored);
    }
  }
}

// The same over a unix socket (the TLS server's plain side door).
bool ping_unix_once(const std::string& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  timeval tv{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  bool ok = false;
  if (path.size() < sizeof addr.sun_path) {
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
      static constexpr char kPing[] = "PING\r\n";
      if (::send(fd, kPing, sizeof kPing - 1, MSG_NOSIGNAL) == sizeof kPing - 1) {
        char buf[128];
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        ok = n > 0 && (buf[0] == '+' || buf[0] == '-');
      }
    }
  }
  ::close(fd);
  return ok;
}

}  // namespace

RedisServer::RedisServer(std::vector<std::string> extra_args)
    : extra_args_(std::move(extra_args)) {}

RedisServer::RedisServer(Tls tls, std::vector<std::string> extra_args)
    : extra_args_(std::move(extra_args)), tls_(std::move(tls)) {
  bool has_socket = false;
  for (const auto& a : extra_args_) has_socket = has_socket || a == "--unixsocket";
  if (!has_socket) {
    extra_args_.push_back("--unixsocket");
    extra_args_.push_back("redis.sock");
  }
}

RedisServer::RedisServer(Sentinel sentinel) : sentinel_(std::move(sentinel)) {}

RedisServer::RedisServer(Sentinel sentinel, Tls tls)
    : RedisServer(std::move(tls), {"--tls-replication", "yes"}) {
  sentinel_ = std::move(sentinel);
}

RedisServer::~RedisServer() {
  try {
    stop();
  } catch (...) {
    // A destructor must not throw; stop() only throws on impossible syscalls.
  }
}

void RedisServer::make_dir() {
  if (!dir_.empty()) return;
  const auto tmp = std::filesystem::temp_directory_path();
  remove_stale_dirs(tmp);
  std::string tmpl = (tmp / ("herald-redis-" + std::to_string(::getpid()) + "-XXXXXX")).string();
  if (::mkdtemp(tmpl.data()) == nullptr)
    throw std::runtime_error(std::string("mkdtemp: ") + std::strerror(errno));
  dir_ = tmpl;
  unix_socket_.clear();
  for (std::size_t i = 0; i + 1 < extra_args_.size(); ++i) {
    if (extra_args_[i] != "--unixsocket") continue;
    const std::string& name = extra_args_[i + 1];
    unix_socket_ = !name.empty() && name[0] == '/' ? name : dir_ + "/" + name;
  }
}

void RedisServer::start() {
  if (running()) return;
  make_dir();
  // A fresh port per attempt: a failed attempt is most likely a port stolen
  // between free_loopback_port() and redis-server's bind().
  for (int attempt = 0; attempt < 5; ++attempt) {
    port_ = free_loopback_port();
    if (try_spawn_ready(10000)) return;
  }
  std::string log = read_file_from(dir_ + "/redis.log", 0);
  throw std::runtime_error("redis-server did not start; log:\n" + log);
}

void RedisServer::restart() {
  if (running()) stop();
  if (port_ == 0) {
    start();
    return;
  }
  make_dir();
  for (int attempt = 0; attempt < 3; ++attempt)
    if (try_spawn_ready(10000)) return;
  std::string log = read_file_from(dir_ + "/redis.log", 0);
  throw std::runtime_error("redis-server did not restart on port " + std::to_string(port_) +
                           "; log:\n" + log);
}

bool RedisServer::try_spawn_ready(int timeout_ms) {
  spawn();
  if (wait_ping(timeout_ms)) return true;
  kill9();
  return false;
}

void RedisServer::spawn() {
  std::vector<std::string> args = {"redis-server"};
  if (sentinel_) {
    // Written once: a restarted sentinel keeps what it learned (config rewrites).
    const std::string conf = dir_ + "/sentinel.conf";
    if (!std::filesystem::exists(conf)) {
      std::ofstream out(conf);
      const std::string& name = sentinel_->master_name;
      out << "sentinel monitor " << name << " 127.0.0.1 " << sentinel_->master_port << ' '
          << sentinel_->quorum << "\n"
          << "sentinel down-after-milliseconds " << name << ' ' << sentinel_->down_after_ms << "\n"
          << "sentinel failover-timeout " << name << ' ' << sentinel_->failover_timeout_ms << "\n"
          << "sentinel parallel-syncs " << name << " 1\n";
      if (!sentinel_->password.empty())
        out << "requirepass " << sentinel_->password << "\nsentinel sentinel-pass "
            << sentinel_->password << "\n";
      if (!out) throw std::runtime_error("cannot write " + conf);
    }
    args.insert(args.end(), {conf, "--sentinel"});
  }
  args.insert(args.end(), {"--port", tls_ ? "0" : std::to_string(port_), "--bind", "127.0.0.1",
                           "--save", "", "--appendonly", "no", "--dir", dir_, "--daemonize", "no"});
  if (tls_) {
    args.insert(args.end(),
                {"--tls-port", std::to_string(port_), "--tls-cert-file", tls_->cert_file,
                 "--tls-key-file", tls_->key_file, "--tls-ca-cert-file", tls_->ca_file,
                 "--tls-auth-clients", tls_->auth_clients});
  }
  for (std::size_t i = 0; i < extra_args_.size(); ++i) {
    args.push_back(extra_args_[i]);
    if (extra_args_[i] == "--unixsocket" && i + 1 < extra_args_.size()) {
      args.push_back(unix_socket_);
      ++i;
    }
  }
  std::vector<char*> argv = make_argv(args);
  const std::string log_path = dir_ + "/redis.log";
  log_offset_ = file_size(log_path);
  int log_fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (log_fd < 0) throw std::runtime_error("open " + log_path + ": " + std::strerror(errno));

  const pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) {
    int err = errno;
    ::close(log_fd);
    throw std::runtime_error(std::string("fork: ") + std::strerror(err));
  }
  if (pid == 0) {
    ::dup2(log_fd, STDOUT_FILENO);
    ::dup2(log_fd, STDERR_FILENO);
    int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, STDIN_FILENO);
    child_prepare(parent);
    ::execvp(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(log_fd);
  pid_ = pid;
}

bool RedisServer::wait_ping(int timeout_ms) const {
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  const std::string log_path = dir_ + "/redis.log";
  bool ready_logged = false;
  while (Clock::now() < deadline) {
    if (pid_ <= 0 || exited(pid_)) return false;
    if (!ready_logged)
      ready_logged = read_file_from(log_path, log_offset_)
                         .find(sentinel_ ? "+monitor master" : "Ready to accept connections") !=
                     std::string::npos;
    if (ready_logged && (tls_ ? ping_unix_once(unix_socket_) : ping_once(port_))) return true;
    // Polling an external process's startup: there is no event to wait on.
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

void RedisServer::reap(int timeout_ms) {
  if (pid_ <= 0) return;
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    int status = 0;
    pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_ || (r < 0 && errno == ECHILD)) break;
    if (Clock::now() >= deadline) {
      ::kill(pid_, SIGKILL);
      while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
      }
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  pid_ = -1;
}

void RedisServer::pause() {
  if (pid_ > 0) ::kill(pid_, SIGSTOP);
}

void RedisServer::resume() {
  if (pid_ > 0) ::kill(pid_, SIGCONT);
}

void RedisServer::stop() {
  if (pid_ > 0) {
    ::kill(pid_, SIGCONT);  // a paused server could not act on SIGTERM
    ::kill(pid_, SIGTERM);
    reap(10000);
  }
  if (!dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
    dir_.clear();
  }
}

void RedisServer::kill9() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
}

std::string RedisServer::url() const {
  return (tls_ ? "rediss://127.0.0.1:" : "redis://127.0.0.1:") + std::to_string(port_);
}

std::string RedisServer::unix_socket_path() const {
  return unix_socket_;
}

std::string RedisServer::cli(const std::vector<std::string>& args) const {
  std::vector<std::string> all = {"redis-cli", "--no-auth-warning"};
  if (tls_) {
    all.insert(all.end(), {"-s", unix_socket_});
  } else {
    all.insert(all.end(), {"-h", "127.0.0.1", "-p", std::to_string(port_)});
  }
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv = make_argv(all);

  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  const pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    throw std::runtime_error("fork failed");
  }
  if (pid == 0) {
    ::dup2(fds[1], STDOUT_FILENO);
    int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, STDIN_FILENO);
    child_prepare(parent);
    ::execvp(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(fds[1]);
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n > 0) {
      out.append(buf, static_cast<std::size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r' || out.back() == ' '))
    out.pop_back();
  return out;
}

}  // namespace herald::test
