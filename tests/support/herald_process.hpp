// HeraldProcess: the real `herald` binary (`serve` or `demo`) as a child process on a
// free loopback port, for the tests where the process itself is the point (its
// settings and wiring, its log, its memory or descriptors read from /proc/<pid>).
//
// The child runs in a private temp dir (where `herald demo` puts its database), its
// stderr (the log) goes to a file there that log() reads, and it gets
// PR_SET_PDEATHSIG(SIGKILL), so a crashed test leaves no process behind. The
// constructor returns once `options.ready_path` answers 200 (15 s at most, else it
// throws with the log); the destructor kills it (SIGKILL), reaps it and removes the dir.
// The binary is the one built next to the test binaries (same preset):
// build/<preset>/tests/<test binary> -> build/<preset>/src/app/herald.
// Thread: the test thread (PDEATHSIG follows the thread that forked). Cost: blocking
// calls; the start takes tens of ms (more under the sanitizers), request() one
// connection each.
#pragma once

#include <boost/beast/http/verb.hpp>

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace herald::test {

class HeraldProcess {
 public:
  struct Options {
    std::string command = "serve";       ///< serve | demo
    std::string ready_path = "/readyz";  ///< started once this answers 200
    int max_fds = 0;                     ///< > 0: the child's RLIMIT_NOFILE
  };

  /// `herald serve --listen 127.0.0.1:<port>` followed by `args`.
  explicit HeraldProcess(std::vector<std::string> args = {});
  /// `herald <options.command> --listen 127.0.0.1:<port>` followed by `args`.
  HeraldProcess(std::vector<std::string> args, Options options);
  ~HeraldProcess();
  HeraldProcess(const HeraldProcess&) = delete;
  HeraldProcess& operator=(const HeraldProcess&) = delete;

  std::uint16_t port() const noexcept { return port_; }
  pid_t pid() const noexcept { return pid_; }
  /// Still running (not exited or crashed).
  bool alive() const;
  /// The file the process writes its stderr to, and what it wrote so far.
  const std::filesystem::path& log_path() const noexcept { return log_; }
  std::string log() const;

  /// One request on a fresh connection: status and body.
  std::pair<unsigned, std::string> request(boost::beast::http::verb verb, const std::string& target,
                                           std::string body = {}) const;
  std::pair<unsigned, std::string> get(const std::string& target) const {
    return request(boost::beast::http::verb::get, target);
  }

 private:
  /// Kills and reaps the child, removes the dir.
  void end() noexcept;

  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
  std::filesystem::path dir_;
  std::filesystem::path log_;
};

}  // namespace herald::test
