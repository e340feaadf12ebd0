// HeraldChild: the real `herald` binary (`serve` or `demo`) as a child process on a
// free loopback port, its stderr (the log) captured in a file the test reads, and
// killed (SIGKILL) on destruction. Ready once /readyz answers 200.
#pragma once

#include "support/free_port.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace herald::test {

class HeraldChild {
 public:
  /// `command`: "serve" or "demo"; `args` follow `--listen 127.0.0.1:<port>`.
  HeraldChild(std::string command, std::vector<std::string> args) {
    auto self = std::filesystem::read_symlink("/proc/self/exe");
    const auto bin = self.parent_path().parent_path() / "src" / "app" / "herald";
    if (!std::filesystem::exists(bin))
      throw std::runtime_error("no herald binary at " + bin.string());
    port_ = free_loopback_port();
    dir_ = std::filesystem::temp_directory_path() /
           ("herald-obs-" + std::to_string(::getpid()) + "-" + std::to_string(port_));
    std::filesystem::create_directories(dir_);
    log_ = dir_ / "stderr.log";
    std::vector<std::string> argv{"herald", std::move(command), "--listen",
                                  "127.0.0.1:" + std::to_string(port_)};
    argv.insert(argv.end(), args.begin(), args.end());
    pid_ = ::fork();
    if (pid_ == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      int fd = ::open(log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd >= 0) ::dup2(fd, 2);
      if (::chdir(dir_.c_str()) != 0) ::_exit(126);  // herald demo's database lands here
      std::vector<char*> c;
      for (auto& a : argv) c.push_back(a.data());
      c.push_back(nullptr);
      ::execv(bin.c_str(), c.data());
      ::_exit(127);
    }
    for (int i = 0; i < 600; ++i) {
      try {
        if (get("/readyz").first == 200) return;
      } catch (const std::exception&) {
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    throw std::runtime_error("herald did not answer /readyz; log:\n" + log());
  }
  ~HeraldChild() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  HeraldChild(const HeraldChild&) = delete;
  HeraldChild& operator=(const HeraldChild&) = delete;

  std::uint16_t port() const noexcept { return port_; }
  /// What the process wrote to stderr so far.
  std::string log() const {
    std::ifstream in(log_);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  /// One request on a fresh connection: status and body.
  std::pair<unsigned, std::string> request(boost::beast::http::verb verb, const std::string& target,
                                           std::string body = {}) const {
    namespace asio = boost::asio;
    namespace beast = boost::beast;
    namespace http = beast::http;
    asio::io_context ioc;
    beast::tcp_stream stream(ioc);
    stream.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_));
    http::request<http::string_body> req{verb, target, 11};
    req.set(http::field::host, "127.0.0.1:" + std::to_string(port_));
    req.body() = std::move(body);
    req.prepare_payload();
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 << 20);
    http::read(stream, buffer, parser);
    return {parser.get().result_int(), parser.get().body()};
  }
  std::pair<unsigned, std::string> get(const std::string& target) const {
    return request(boost::beast::http::verb::get, target);
  }

 private:
  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
  std::filesystem::path dir_;
  std::filesystem::path log_;
};

/// Polls `done` every 20 ms until it holds or `limit` passes; returns its last value.
template <class Fn>
bool wait_until(Fn&& done, std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return done();
}

}  // namespace herald::test
