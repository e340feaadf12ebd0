// cache_bench: figures for herald::cache (bench/cache/run.sh runs it against a private
// redis-server and prints them). One JSON line per figure:
//   l1_hit       get_or_set answered from L1 (sequential; per-op latency + ops/s)
//   l2_hit       get_or_set answered from Redis (policy.l1_ttl = 0), loopback
//   raw_get      a plain GET of the same entry on the same Pool, for comparison
//                (l2_hit/raw_get: latency with 1 request in flight, throughput with
//                --concurrency coroutines in flight)
//   raw_mget     (only with --l2-kinds ...,raw_mget) the very MGET an L2 hit sends,
//                encoded once, on the same Pool: l2_hit/raw_mget is the cache's own
//                client-side cost, raw_mget/raw_get what the protocol adds (Redis
//                reading 3 keys, an array reply to decode)
//   tag_invalidate  invalidate_tags() round trip (INCR + GETDEL + PUBLISH), sequential
//   l1_memory    heap bytes per L1 entry with a 100-byte value (mallinfo2 delta over
//                100k entries), next to L1Store's own accounting
// Each test runs on 1 and on 2 threads; 2 threads = two independent io_contexts, each
// with its own Pool + Cache (as two processes would be), figures aggregated.
// Latencies are measured per operation with steady_clock (~20 ns of overhead each).
// L2: both sides run on the same Node (same Pool, same key). --slices N splits each
// side's ops into N slices run alternately (l2_hit, raw_get, raw_get, l2_hit, ...;
// threads start each slice together), so that both see the same machine: on a shared
// VM the round-trip time can change several-fold within a run (load from others, idle
// CPUs sleeping). --slices 1 (the default) runs all of l2_hit, then all of raw_get.
// --l2-kinds (l2_hit,raw_get) and --l2-modes (latency,throughput) narrow the L2
// figures, e.g. to profile one side alone under callgrind or perf.
#include <herald/cache/cache.hpp>
#include <herald/redis/pool.hpp>

#include "cache/cache_layout.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <malloc.h>

#include <algorithm>
#include <array>
#include <barrier>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
using namespace herald;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using asio::awaitable;

namespace {

struct Options {
  std::string url = "redis://127.0.0.1:6379";
  long l1_ops = 2'000'000;
  long l2_latency_ops = 20'000;
  long l2_ops = 300'000;
  int concurrency = 64;
  long tag_ops = 5'000;
  std::string tests = "l1,l2,tags,memory";
  std::string threads = "1,2";
  std::string l2_kinds = "l2_hit,raw_get";  // which side(s) of the L2 comparison to run
  std::string l2_modes = "latency,throughput";
  int slices = 1;  // see --slices above
};

struct Sample {
  long ops = 0;
  long errors = 0;
  double seconds = 0;
  std::vector<std::int64_t> ns;  // per-op latencies (may be empty: throughput runs)
};

/// One thread's slices of one side, end to end: their times add up.
void append(Sample& all, Sample& part) {
  all.ops += part.ops;
  all.errors += part.errors;
  all.seconds += part.seconds;
  all.ns.insert(all.ns.end(), part.ns.begin(), part.ns.end());
}

Sample merge(std::vector<Sample>& parts) {
  Sample all;
  for (auto& p : parts) {
    all.ops += p.ops;
    all.errors += p.errors;
    all.seconds = std::max(all.seconds, p.seconds);
    all.ns.insert(all.ns.end(), p.ns.begin(), p.ns.end());
  }
  return all;
}

std::int64_t percentile(std::vector<std::int64_t>& v, double q) {
  if (v.empty()) return 0;
  const auto k = static_cast<std::size_t>(q * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<long>(k), v.end());
  return v[k];
}

void report(const char* test, const char* mode, int threads, Sample s, int slices = 0) {
  const double ops_per_s = s.seconds > 0 ? static_cast<double>(s.ops) / s.seconds : 0;
  std::printf(
      "{\"test\":\"%s\",\"mode\":\"%s\",\"threads\":%d,\"ops\":%ld,\"errors\":%ld,"
      "\"ops_per_s\":%.0f",
      test, mode, threads, s.ops, s.errors, ops_per_s);
  if (slices > 0) std::printf(",\"slices\":%d", slices);
  if (!s.ns.empty()) {
    const auto p50 = percentile(s.ns, 0.50), p90 = percentile(s.ns, 0.90),
               p99 = percentile(s.ns, 0.99), p999 = percentile(s.ns, 0.999);
    std::printf(",\"p50_ns\":%lld,\"p90_ns\":%lld,\"p99_ns\":%lld,\"p999_ns\":%lld",
                static_cast<long long>(p50), static_cast<long long>(p90),
                static_cast<long long>(p99), static_cast<long long>(p999));
  }
  std::printf("}\n");
  std::fflush(stdout);
}

redis::ConnectionConfig redis_config(const std::string& url) {
  auto parsed = redis::RedisUrl::parse(url);
  if (!parsed) {
    std::fprintf(stderr, "bad url %s\n", url.c_str());
    std::exit(2);
  }
  redis::ConnectionConfig cfg;
  cfg.url = *parsed;
  return cfg;
}

std::int64_t since_ns(Clock::time_point t0) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0).count();
}

/// One node: Pool + Cache + bus on one io_context.
struct Node {
  Node(asio::io_context& ioc, const std::string& url)
      : pool(ioc.get_executor(), redis_config(url), 4),
        cache(ioc.get_executor(), cache::CacheConfig{}, &pool, redis_config(url)) {
    pool.start();
    cache.start();
  }
  ~Node() {
    cache.stop();
    pool.stop();
  }
  awaitable<bool> ready() {
    if (!co_await pool.wait_connected(5s)) co_return false;
    asio::steady_timer t(co_await asio::this_coro::executor);
    for (int i = 0; i < 500 && !cache.coherent(); ++i) {
      t.expires_after(10ms);
      co_await t.async_wait(asio::use_awaitable);
    }
    co_return cache.coherent();
  }
  redis::Pool pool;
  cache::Cache cache;
};

const std::string kValue(100, 'x');

cache::Loader value_loader() {
  return []() -> awaitable<std::optional<std::string>> { co_return kValue; };
}

/// Runs `body` to completion on its own io_context, on `threads` threads at once
/// (each with its own context), and returns each thread's sample.
template <class R = Sample, class Body>
std::vector<R> on_threads(int threads, Body body) {
  std::vector<R> samples(static_cast<std::size_t>(threads));
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      asio::io_context ioc;
      asio::co_spawn(
          ioc, [&]() -> awaitable<void> { samples[t] = co_await body(ioc, t); },
          [](std::exception_ptr e) {
            if (e) std::rethrow_exception(e);
          });
      ioc.run();
    });
  }
  for (auto& th : pool) th.join();
  return samples;
}

using Op = std::function<awaitable<bool>(long)>;

awaitable<Sample> sequential(long ops, const Op& op) {
  Sample s;
  s.ns.resize(static_cast<std::size_t>(ops));
  const auto start = Clock::now();
  for (long i = 0; i < ops; ++i) {
    const auto t0 = Clock::now();
    if (!co_await op(i)) ++s.errors;
    s.ns[static_cast<std::size_t>(i)] = since_ns(t0);
  }
  s.seconds = static_cast<double>(since_ns(start)) / 1e9;
  s.ops = ops;
  co_return s;
}

awaitable<Sample> concurrent(asio::io_context& ioc, long ops, int width, const Op& op) {
  Sample s;
  long next = 0;
  int running = width;
  asio::steady_timer done(ioc, Clock::time_point::max());
  const auto start = Clock::now();
  for (int w = 0; w < width; ++w) {
    asio::co_spawn(
        ioc,
        [&]() -> awaitable<void> {
          while (next < ops) {
            const long i = next++;
            if (!co_await op(i)) ++s.errors;
          }
          if (--running == 0) done.cancel();
        },
        asio::detached);
  }
  boost::system::error_code ec;
  co_await done.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  s.seconds = static_cast<double>(since_ns(start)) / 1e9;
  s.ops = ops;
  co_return s;
}

void bench_l1(const Options& o, int threads) {
  auto samples = on_threads(threads, [&](asio::io_context& ioc, int t) -> awaitable<Sample> {
    Node node(ioc, o.url);
    if (!co_await node.ready()) throw std::runtime_error("redis not ready");
    cache::CachePolicy policy;
    policy.ttl = 3600s;
    const std::string key = "bench:l1:" + std::to_string(t);
    const cache::Loader loader = value_loader();
    co_await node.cache.get_or_set(key, loader, policy);
    Sample s = co_await sequential(o.l1_ops, [&](long) -> awaitable<bool> {
      auto r = co_await node.cache.get_or_set(key, loader, policy);
      co_return r && r->source == cache::CacheSource::l1;
    });
    co_return s;
  });
  report("l1_hit", "sequential", threads, merge(samples));
}

bool has(const std::string& list, const std::string& item) {
  return ("," + list + ",").find("," + item + ",") != std::string::npos;
}

void bench_l2(const Options& o, int threads) {
  constexpr int kSides = 3;
  const char* const names[kSides] = {"l2_hit", "raw_get", "raw_mget"};
  bool sides[kSides];
  for (int i = 0; i < kSides; ++i) sides[i] = has(o.l2_kinds, names[i]);
  const int slices = std::max(1, o.slices);
  for (const char* mode : {"latency", "throughput"}) {
    if (!has(o.l2_modes, mode)) continue;
    const bool latency = std::strcmp(mode, "latency") == 0;
    const long total = latency ? o.l2_latency_ops : o.l2_ops;
    std::barrier sync(threads);  // every thread starts each slice at the same time
    using Samples = std::array<Sample, kSides>;
    auto samples =
        on_threads<Samples>(threads, [&](asio::io_context& ioc, int t) -> awaitable<Samples> {
          Node node(ioc, o.url);
          if (!co_await node.ready()) throw std::runtime_error("redis not ready");
          cache::CachePolicy policy;
          policy.ttl = 3600s;
          policy.l1_ttl = 0ms;  // L1 off: every hit is a Redis round trip
          const std::string key = "bench:l2:" + std::to_string(t);
          const cache::Loader loader = value_loader();
          co_await node.cache.set(key, kValue, policy);
          redis::Request get;
          const cache::CacheLayout layout(cache::CacheConfig{}.prefix);
          get.push("GET", layout.entry(key));
          // The MGET an L2 hit sends (entry, namespace version, generation), encoded once.
          redis::Request mget;
          mget.push("MGET", layout.entry(key), layout.namespace_version("bench"),
                    layout.generation());
          const Op ops[kSides] = {[&](long) -> awaitable<bool> {
                                    auto r = co_await node.cache.get_or_set(key, loader, policy);
                                    co_return r && r->source == cache::CacheSource::l2;
                                  },
                                  [&](long) -> awaitable<bool> {
                                    auto r = co_await node.pool.exec(get);
                                    co_return r && r->is_string();
                                  },
                                  [&](long) -> awaitable<bool> {
                                    auto r = co_await node.pool.exec(mget);
                                    co_return r && r->is_array() && r->elements.size() == 3 &&
                                        r->elements[0].is_string();
                                  }};
          Samples out;
          for (int s = 0; s < slices; ++s) {
            const long n = total / slices + (s < total % slices ? 1 : 0);
            for (int k = 0; k < kSides; ++k) {
              // ABC CBA ...: slow drift of the machine hits every side alike.
              const int side = s % 2 == 0 ? k : kSides - 1 - k;
              if (!sides[side]) continue;
              sync.arrive_and_wait();  // blocks this thread's io_context briefly: harmless here
              Sample part;
              if (latency)
                part = co_await sequential(n, ops[side]);
              else
                part = co_await concurrent(ioc, n, o.concurrency, ops[side]);
              append(out[static_cast<std::size_t>(side)], part);
            }
          }
          co_return out;
        });
    for (int side = 0; side < kSides; ++side) {
      if (!sides[side]) continue;
      std::vector<Sample> parts;
      for (auto& all : samples) parts.push_back(std::move(all[static_cast<std::size_t>(side)]));
      report(names[side], mode, threads, merge(parts), slices);
    }
  }
}

void bench_tags(const Options& o, int threads) {
  auto samples = on_threads(threads, [&](asio::io_context& ioc, int t) -> awaitable<Sample> {
    Node node(ioc, o.url);
    if (!co_await node.ready()) throw std::runtime_error("redis not ready");
    co_return co_await sequential(o.tag_ops, [&](long i) -> awaitable<bool> {
      const std::vector<std::string> tags{"bench:tag:" + std::to_string(t) + ":" +
                                          std::to_string(i % 100)};
      auto r = co_await node.cache.invalidate_tags(tags);
      co_return r.has_value();
    });
  });
  report("tag_invalidate", "sequential", threads, merge(samples));
}

void bench_memory() {
  constexpr int kEntries = 100'000;
  asio::io_context ioc;
  std::size_t heap_before = 0, heap_after = 0, l1_bytes = 0, l1_size = 0;
  {
    cache::Cache cache(ioc.get_executor(), cache::CacheConfig{}, nullptr, std::nullopt);
    asio::co_spawn(
        ioc,
        [&]() -> awaitable<void> {
          cache::CachePolicy policy;
          policy.ttl = 3600s;
          // Keys first, so only the cache's own allocations are counted.
          std::vector<std::string> keys;
          keys.reserve(kEntries);
          for (int i = 0; i < kEntries; ++i) keys.push_back("bench:item:" + std::to_string(i));
          malloc_trim(0);
          heap_before = mallinfo2().uordblks;
          for (const auto& k : keys) co_await cache.set(k, kValue, policy);
          heap_after = mallinfo2().uordblks;
          l1_bytes = cache.l1_bytes();
          l1_size = cache.l1_size();
        },
        [](std::exception_ptr e) {
          if (e) std::rethrow_exception(e);
        });
    ioc.run();
  }
  std::printf(
      "{\"test\":\"l1_memory\",\"entries\":%zu,\"value_bytes\":%zu,\"key_bytes\":%zu,"
      "\"heap_bytes_per_entry\":%.1f,\"l1_accounted_bytes_per_entry\":%.1f}\n",
      l1_size, kValue.size(), std::string("bench:item:99999").size(),
      static_cast<double>(heap_after - heap_before) / kEntries,
      static_cast<double>(l1_bytes) / static_cast<double>(l1_size ? l1_size : 1));
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i], v = argv[i + 1];
    if (a == "--url")
      o.url = v;
    else if (a == "--l1-ops")
      o.l1_ops = std::stol(v);
    else if (a == "--l2-ops")
      o.l2_ops = std::stol(v);
    else if (a == "--l2-latency-ops")
      o.l2_latency_ops = std::stol(v);
    else if (a == "--concurrency")
      o.concurrency = std::stoi(v);
    else if (a == "--tag-ops")
      o.tag_ops = std::stol(v);
    else if (a == "--tests")
      o.tests = v;
    else if (a == "--threads")
      o.threads = v;
    else if (a == "--l2-kinds")
      o.l2_kinds = v;
    else if (a == "--l2-modes")
      o.l2_modes = v;
    else if (a == "--slices")
      o.slices = std::stoi(v);
    else {
      std::fprintf(stderr, "unknown option %s\n", a.c_str());
      return 2;
    }
  }
  try {
    if (has(o.tests, "memory")) bench_memory();
    for (int threads : {1, 2}) {
      if (!has(o.threads, std::to_string(threads))) continue;
      if (has(o.tests, "l1")) bench_l1(o, threads);
      if (has(o.tests, "l2")) bench_l2(o, threads);
      if (has(o.tests, "tags")) bench_tags(o, threads);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "cache_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
