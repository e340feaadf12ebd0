// redis_client_bench: pipelined GET/SET throughput of herald::redis on one Connection
// and on a Pool, for comparison with `redis-benchmark -P <p>` on the same server
// (bench/redis_client/run.sh runs both in one go and prints the ratio).
//
// Load shape: `--clients` coroutines, each sending requests of `--pipeline` commands
// back to back (like redis-benchmark's -c clients with -P pipelining), all on one
// io_context thread. Prints one JSON line per test.
#include <herald/redis/connection.hpp>
#include <herald/redis/pool.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace asio = boost::asio;
using namespace herald::redis;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  std::string url = "redis://127.0.0.1:6379";
  long requests = 2'000'000;  // commands per test
  int pipeline = 32;
  int clients = 50;
  int pool_size = 4;
  std::string tests = "set,get";
  std::string mode = "single,pool";
};

struct Target {
  Connection* connection = nullptr;
  Pool* pool = nullptr;
  asio::awaitable<Result<std::vector<Reply>>> exec_all(const Request& r) {
    if (connection != nullptr) return connection->exec_all(r);
    return pool->exec_all(r);
  }
};

asio::awaitable<void> client(Target target, const std::string& test, int pipeline, long& left,
                             long& errors) {
  Request req;
  std::string value(3, 'x');  // redis-benchmark's default 3-byte payload
  while (left > 0) {
    req.clear();
    const int n = static_cast<int>(std::min<long>(pipeline, left));
    left -= n;
    for (int i = 0; i < n; ++i) {
      if (test == "set")
        req.push("SET", "key:__rand_int__", value);
      else
        req.push("GET", "key:__rand_int__");
    }
    auto replies = co_await target.exec_all(req);
    if (!replies) ++errors;
  }
}

/// One client, then the last one to finish wakes run_test. (A named coroutine, not
/// a capturing lambda: a lambda's captures die with the closure, before the frame.)
asio::awaitable<void> client_then_signal(Target target, const std::string& test, int pipeline,
                                         long& left, long& errors, int& running,
                                         asio::steady_timer& done) {
  co_await client(target, test, pipeline, left, errors);
  if (--running == 0) done.cancel();
}

asio::awaitable<void> run_test(Target target, const Options& o, const std::string& test,
                               const std::string& label) {
  long left = o.requests;
  long errors = 0;
  int running = o.clients;
  const auto start = Clock::now();
  auto ex = co_await asio::this_coro::executor;
  asio::steady_timer done{ex, Clock::time_point::max()};
  for (int i = 0; i < o.clients; ++i) {
    asio::co_spawn(ex, client_then_signal(target, test, o.pipeline, left, errors, running, done),
                   asio::detached);
  }
  co_await done.async_wait(asio::as_tuple(asio::use_awaitable));
  const double secs = std::chrono::duration<double>(Clock::now() - start).count();
  std::printf(
      "{\"test\":\"%s\",\"target\":\"%s\",\"requests\":%ld,\"pipeline\":%d,\"clients\":%d,"
      "\"seconds\":%.3f,\"ops_per_s\":%.0f,\"errors\":%ld}\n",
      test.c_str(), label.c_str(), o.requests, o.pipeline, o.clients, secs,
      static_cast<double>(o.requests) / secs, errors);
  std::fflush(stdout);
}

asio::awaitable<int> run(Options o) {
  auto ex = co_await asio::this_coro::executor;
  auto url = RedisUrl::parse(o.url);
  if (!url) {
    std::fprintf(stderr, "bad --url %s\n", o.url.c_str());
    co_return 2;
  }
  ConnectionConfig cfg;
  cfg.url = *url;
  cfg.request_timeout = std::chrono::seconds{30};
  for (const char* test : {"set", "get"}) {
    if (o.tests.find(test) == std::string::npos) continue;
    if (o.mode.find("single") != std::string::npos) {
      Connection c{ex, cfg};
      c.start();
      if (!co_await c.wait_connected(std::chrono::seconds{5})) co_return 1;
      co_await run_test(Target{&c, nullptr}, o, test, "connection");
      c.stop();
    }
    if (o.mode.find("pool") != std::string::npos) {
      Pool p{ex, cfg, static_cast<std::size_t>(o.pool_size)};
      p.start();
      if (!co_await p.wait_connected(std::chrono::seconds{5})) co_return 1;
      co_await run_test(Target{nullptr, &p}, o, test, "pool" + std::to_string(o.pool_size));
      p.stop();
    }
  }
  co_return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    const char* v = argv[i + 1];
    if (k == "--url")
      o.url = v;
    else if (k == "--requests")
      o.requests = std::atol(v);
    else if (k == "--pipeline")
      o.pipeline = std::atoi(v);
    else if (k == "--clients")
      o.clients = std::atoi(v);
    else if (k == "--pool")
      o.pool_size = std::atoi(v);
    else if (k == "--tests")
      o.tests = v;
    else if (k == "--mode")
      o.mode = v;
    else {
      std::fprintf(stderr,
                   "usage: %s [--url U] [--requests N] [--pipeline P] [--clients C] "
                   "[--pool N] [--tests set,get] [--mode single,pool]\n",
                   argv[0]);
      return 2;
    }
  }
  asio::io_context ioc{1};
  int rc = 0;
  asio::co_spawn(ioc, run(o), [&](std::exception_ptr e, int r) { rc = e ? 1 : r; });
  ioc.run();
  return rc;
}
