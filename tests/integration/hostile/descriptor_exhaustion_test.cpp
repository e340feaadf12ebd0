// Issue 19, item 5: out of file descriptors. The listener backs off 50 ms per failed
// accept; it used to log every back-off (20 lines a second for as long as it lasted).
// Now one line per 10 s, with the count of failures since the previous line, and the
// server serves again once descriptors are free. Descriptors are the point: the
// server is `herald serve` in a child process with a low RLIMIT_NOFILE.
#include "integration/hostile/raw_client.hpp"
#include "support/herald_process.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <vector>

namespace herald::test {
namespace {

int count_lines(const std::string& path, std::string_view needle) {
  std::ifstream in(path);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    if (line.find(needle) != std::string::npos) ++n;
  }
  return n;
}

TEST(HostileDescriptors, AcceptFailuresLogOncePerIntervalAndServingResumes) {
  // Info, so that a line is logged before descriptors run out: in the sanitizer build,
  // UBSan's first type check of the log sink needs a descriptor of its own (a pipe),
  // and reports a false "invalid vptr" when there is none.
  HeraldProcess herald({"--log-level", "warn", "--threads", "1", "--log-level", "info"},
                       HeraldProcess::Options{.ready_path = "/healthz", .max_fds = 64});
  const std::string log = herald.log_path().string();
  // A keep-alive connection opened first, to read /metrics while no new connection
  // can be accepted.
  RawClient probe(herald.port());
  auto accept_failures = [&probe]() -> long {
    probe.buffered().clear();
    probe.send_all("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
    std::string text = probe.read_until("# HELP herald_publish_deliver");
    auto pos = text.find("\nherald_accept_failures_total ");
    return pos == std::string::npos ? -1 : std::stol(text.substr(pos + 30));
  };
  ASSERT_EQ(accept_failures(), 0);
  // Idle connections (no request: each waits for its head) until the server is out of
  // descriptors and has said so.
  std::vector<std::unique_ptr<RawClient>> idle;
  for (int i = 0; i < 200 && count_lines(log, "accept failed") == 0; ++i) {
    idle.push_back(std::make_unique<RawClient>(herald.port()));
    if (i >= 40) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_GE(count_lines(log, "accept failed"), 1) << "never ran out of descriptors";
  // Twenty failed accepts (50 ms back-off each) later, still the one line: the next is
  // due 10 s after the first.
  long failures = 0;
  for (int i = 0; i < 500 && failures < 20; ++i) {
    failures = accept_failures();
    if (failures < 20) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_GE(failures, 20);
  EXPECT_EQ(count_lines(log, "accept failed"), 1);
  EXPECT_TRUE(herald.alive());
  // Descriptors come back: the pending connections are accepted and served.
  idle.clear();
  bool served = false;
  for (int i = 0; i < 250 && !served; ++i) {
    try {
      RawClient c(herald.port(), 0, std::chrono::seconds(2));
      c.send_all("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
      served = http_status(c.read_to_close()) == 200;
    } catch (const std::exception&) {
    }
    if (!served) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(served);
}

}  // namespace
}  // namespace herald::test
