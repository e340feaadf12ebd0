// The `herald serve` executable as the benchmark harness runs it: start with
// --listen, poll /healthz, publish, SIGTERM -> `disconnect` 3001 to clients and exit 0
// within a few seconds. Skipped when the binary was not built next to this test.
#include "support/free_port.hpp"
#include "support/test_clients.hpp"

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>
#include <csignal>
#include <filesystem>

namespace herald::test {
namespace {

std::filesystem::path herald_binary() {
  // build/<preset>/tests/integration_gateway -> build/<preset>/src/app/herald
  auto self = std::filesystem::read_symlink("/proc/self/exe");
  return self.parent_path().parent_path() / "src" / "app" / "herald";
}

class HeraldBinary : public ::testing::Test {
 protected:
  void SetUp() override {
    auto bin = herald_binary();
    // The binary is built with the tests (same preset); missing means a broken build.
    ASSERT_TRUE(std::filesystem::exists(bin)) << "no herald binary at " << bin;
    port_ = free_loopback_port();
    std::string listen = "127.0.0.1:" + std::to_string(port_);
    pid_ = ::fork();
    if (pid_ == 0) {
      ::execl(bin.c_str(), "herald", "serve", "--listen", listen.c_str(), "--log-level", "warn",
              nullptr);
      ::_exit(127);
    }
    for (int i = 0; i < 100; ++i) {
      try {
        if (http_request(port_, http::verb::get, "/healthz").status == 200) return;
      } catch (const std::exception&) {
      }
      std::this_thread::sleep_for(50ms);
    }
    FAIL() << "herald did not answer /healthz";
  }
  void TearDown() override {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  // Waits up to `timeout` for the child; its exit status, or -1 if still running.
  int wait_exit(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      std::this_thread::sleep_for(20ms);
    }
    return -1;
  }
  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
};

TEST_F(HeraldBinary, ServesAndDrainsOnSigterm) {
  WsClient c(port_);
  ASSERT_TRUE(c.connected());
  c.next();
  c.send(R"({"type":"subscribe","channel":"bench0","id":1})");
  EXPECT_EQ(c.next_json().at("type").as_string(), "reply");
  EXPECT_EQ(http_publish(port_, "bench0", R"({"ts":1,"seq":0})").status, 200u);
  EXPECT_EQ(c.next_json().at("data").at("seq").as_int64(), 0);
  ::kill(pid_, SIGTERM);
  auto d = c.next_json();
  EXPECT_EQ(d.at("type").as_string(), "disconnect");
  EXPECT_EQ(d.at("code").as_int64(), 3001);
  EXPECT_TRUE(d.at("reconnect").as_bool());
  EXPECT_EQ(wait_exit(5s), 0);
}

}  // namespace
}  // namespace herald::test
