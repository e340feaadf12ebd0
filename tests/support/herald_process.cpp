// HeraldProcess: spawns, probes and ends a `herald` child process (see the header).
#include "support/herald_process.hpp"

#include "support/free_port.hpp"
#include "support/http_request.hpp"

#include <boost/beast/http.hpp>

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace herald::test {

HeraldProcess::HeraldProcess(std::vector<std::string> args)
    : HeraldProcess(std::move(args), Options{}) {}

HeraldProcess::HeraldProcess(std::vector<std::string> args, Options options) {
  const auto self = std::filesystem::read_symlink("/proc/self/exe");
  const auto bin = self.parent_path().parent_path() / "src" / "app" / "herald";
  if (!std::filesystem::exists(bin))
    throw std::runtime_error("no herald binary at " + bin.string());
  port_ = free_loopback_port();
  dir_ = std::filesystem::temp_directory_path() /
         ("herald-" + std::to_string(::getpid()) + "-" + std::to_string(port_));
  std::filesystem::create_directories(dir_);
  log_ = dir_ / "stderr.log";
  std::vector<std::string> argv{"herald", std::move(options.command), "--listen",
                                "127.0.0.1:" + std::to_string(port_)};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> c_argv;
  for (auto& a : argv) c_argv.push_back(a.data());
  c_argv.push_back(nullptr);
  pid_ = ::fork();
  if (pid_ == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (options.max_fds > 0) {
      rlimit limit{static_cast<rlim_t>(options.max_fds), static_cast<rlim_t>(options.max_fds)};
      ::setrlimit(RLIMIT_NOFILE, &limit);
    }
    int fd = ::open(log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      ::dup2(fd, 2);
      ::close(fd);
    }
    if (::chdir(dir_.c_str()) != 0) ::_exit(126);
    ::execv(bin.c_str(), c_argv.data());
    ::_exit(127);
  }
  // An external process: there is no event to wait on, so poll its readiness probe.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (std::chrono::steady_clock::now() < deadline) {
    try {
      if (get(options.ready_path).first == 200) return;
    } catch (const std::exception&) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  const std::string why = "herald did not answer " + options.ready_path + "; log:\n" + log();
  end();  // the constructor throws: no destructor call follows
  throw std::runtime_error(why);
}

HeraldProcess::~HeraldProcess() {
  end();
}

void HeraldProcess::end() noexcept {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

bool HeraldProcess::alive() const {
  int status = 0;
  return pid_ > 0 && ::waitpid(pid_, &status, WNOHANG) == 0;
}

std::string HeraldProcess::log() const {
  std::ifstream in(log_);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::pair<unsigned, std::string> HeraldProcess::request(boost::beast::http::verb verb,
                                                        const std::string& target,
                                                        std::string body) const {
  HttpResult r = http_request(port_, verb, target, std::move(body));
  return {r.status, std::move(r.body)};
}

}  // namespace herald::test
