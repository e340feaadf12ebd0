// The herald binary on a TLS Redis (redis-server --tls-port, certificates from the
// fixture): `herald serve --redis rediss://...` is ready (engine pool, subscriber and
// ingest consumer, and the cache, all over TLS) and publishes; with a wrong CA it
// keeps running, answers /healthz, says 503 on /readyz and logs the cause; an
// unreadable CA file stops the start with the file's name; `herald cache stats`
// works over TLS.
#include "integration/hostile/raw_client.hpp"
#include "integration/redis_tls/tls_test_util.hpp"
#include "support/eventually.hpp"
#include "support/herald_process.hpp"
#include "support/redis_server.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace herald::test {
namespace {

std::filesystem::path herald_binary() {
  return std::filesystem::read_symlink("/proc/self/exe").parent_path().parent_path() / "src" /
         "app" / "herald";
}

std::string temp_log(const std::string& name) {
  return (std::filesystem::temp_directory_path() /
          ("herald-tls-" + name + "-" + std::to_string(::getpid()) + ".log"))
      .string();
}

std::string read_all(const std::string& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// One request on a fresh connection; the status code (0 when nothing answered).
unsigned request(std::uint16_t port, const std::string& head, const std::string& body = {}) {
  try {
    RawClient c(port, 0, std::chrono::seconds(5));
    c.send_all(head + "Host: x\r\nConnection: close\r\nContent-Length: " +
               std::to_string(body.size()) + "\r\n\r\n" + body);
    return http_status(c.read_to_close());
  } catch (const std::exception&) {
    return 0;
  }
}

unsigned get(std::uint16_t port, const std::string& path) {
  return request(port, "GET " + path + " HTTP/1.1\r\n");
}

/// GET `path`: the whole response text ("" when nothing answered).
std::string get_text(std::uint16_t port, const std::string& path) {
  try {
    RawClient c(port, 0, std::chrono::seconds(5));
    c.send_all("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    return c.read_to_close();
  } catch (const std::exception&) {
    return {};
  }
}

/// How long the waits on the herald process's answers and log may take.
constexpr std::chrono::seconds herald_wait{15};

/// Runs `herald args...` to its end (at most 60 s); its exit code (-1: killed) and
/// its stdout + stderr in `output`.
int run_herald(std::vector<std::string> args, std::string& output) {
  const std::string log = temp_log("run");
  args.insert(args.begin(), "herald");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const std::string bin = herald_binary().string();
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    ::execv(bin.c_str(), argv.data());
    ::_exit(127);
  }
  int status = 0;
  bool exited =
      eventually([&] { return ::waitpid(pid, &status, WNOHANG) == pid; }, std::chrono::seconds(60));
  if (!exited) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
  }
  output = read_all(log);
  std::filesystem::remove(log);
  return exited && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

RedisServer good_server() {
  return RedisServer(server_tls(tls_files().server_cert(), tls_files().server_key()));
}

std::string ca_query() {
  return "ca_file=" + tls_files().ca();
}

TEST(HeraldServeTls, ReadyAndPublishingOverTls) {
  ASSERT_TRUE(std::filesystem::exists(herald_binary())) << herald_binary();
  RedisServer server = good_server();
  server.start();
  const std::string url = tls_url(server, ca_query());
  HeraldProcess herald({"--log-level", "warn", "--redis", url},
                       HeraldProcess::Options{.ready_path = "/healthz"});
  EXPECT_TRUE(eventually([&] { return get(herald.port(), "/readyz") == 200; }, herald_wait));
  // Through the engine's pool to Redis and back (the loopback client needs no key).
  EXPECT_EQ(
      request(herald.port(), "POST /api/publish HTTP/1.1\r\nContent-Type: application/json\r\n",
              R"({"channel":"news","data":{"n":1}})"),
      200u);
  EXPECT_NE(server.cli({"KEYS", "*"}), "") << "nothing was written to redis";
  // The ingest consumer (its own TLS connection) publishes what an app XADDs.
  server.cli({"XADD", "herald:ingest", "*", "channel", "news", "data", "{\"n\":2}"});
  EXPECT_TRUE(eventually(
      [&] {
        return get_text(herald.port(), "/api/history/news").find("\"n\":2") != std::string::npos;
      },
      herald_wait))
      << get_text(herald.port(), "/api/history/news");

  std::string out;
  EXPECT_EQ(run_herald({"cache", "stats", "--redis", url}, out), 0) << out;
  EXPECT_NE(out.find("rediss://"), std::string::npos) << out;
  EXPECT_TRUE(herald.alive());
}

TEST(HeraldServeTls, WrongCaIsNotReadyAndSaysWhy) {
  ASSERT_TRUE(std::filesystem::exists(herald_binary())) << herald_binary();
  RedisServer server = good_server();
  server.start();
  {
    HeraldProcess herald(
        {"--log-level", "warn", "--redis", tls_url(server, "ca_file=" + tls_files().other_ca())},
        HeraldProcess::Options{.ready_path = "/healthz"});
    EXPECT_TRUE(eventually(
        [&] { return herald.log().find("not signed by a trusted CA") != std::string::npos; },
        herald_wait))
        << herald.log();
    EXPECT_EQ(get(herald.port(), "/readyz"), 503u);
    EXPECT_EQ(get(herald.port(), "/healthz"), 200u);
    // Still retrying, still alive: a later connect failure is counted, not fatal.
    EXPECT_TRUE(herald.alive());
    EXPECT_EQ(get(herald.port(), "/readyz"), 503u);
    EXPECT_EQ(server.cli({"DBSIZE"}), "0");
  }
}

TEST(HeraldServeTls, UnreadableCaFileStopsTheStart) {
  ASSERT_TRUE(std::filesystem::exists(herald_binary())) << herald_binary();
  std::string out;
  const int code = run_herald({"serve", "--listen", "127.0.0.1:0", "--redis",
                               "rediss://127.0.0.1:6379?ca_file=/nonexistent/ca.pem"},
                              out);
  EXPECT_NE(code, 0) << out;
  EXPECT_NE(code, -1) << "herald did not exit: " << out;
  EXPECT_NE(out.find("/nonexistent/ca.pem"), std::string::npos) << out;
}

}  // namespace
}  // namespace herald::test
