// CachingProxy: the request flow of the HTTP cache gateway, on the cache's executor.
//
//   PURGE <url> (API key or loopback): every stored variant of the URL dropped on every
//       node (each variant carries the URL's own tag, `px-url:<hash>`);
//   bypass (not GET/HEAD, Authorization, Cookie, Range, odd Host or target)
//       -> forwarded as it came (minus hop-by-hop and unkeyed fields), nothing stored;
//   URL record (px:u:<url>, Cache::get): which Vary names and tags this URL's
//   responses carry, or `pass` when its last answer could not be stored;
//   no record (cold URL) -> Cache::get_or_set on the record: one upstream request per
//       URL for the whole cluster (single flight + the distributed lock); the loader
//       stores the variant (px:v:...) under the response's tags, then the record;
//   record -> Cache::get_or_set on the variant key with the record's tags: hit, or one
//       upstream request per variant; a fresh hit is answered from the stored bytes;
//       a stale one within stale-while-revalidate is answered at once while one
//       background request refreshes it; past that it is fetched again, and within
//       stale-if-error a failure or 5xx of the upstream is answered with the stale copy.
// HTTP freshness is decided here from the stored envelope (the cache entry lives for
// freshness + the longer stale window, via CachePolicy::ttl_of). Tags are the cache's
// tags, so POST /api/invalidate drops the responses (and the cache's bridge tells the
// `tag:` channels).
//
// Thread: call and destroy on the cache's executor (its single-threaded contract);
// construct there too, or before the cache starts (it registers an on_invalidate
// listener). Cost: a hit is two cache lookups (record, variant) and no upstream I/O.
#pragma once

#include "proxy/core/header_list.hpp"
#include "proxy/core/request_plan.hpp"
#include "proxy/proxy_answer.hpp"
#include "proxy/proxy_options.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace herald::cache {
class Cache;
}

namespace herald::proxy {

struct ProxyRequest {
  std::string method;
  std::string target;
  HeaderList headers;
  std::string body;
  std::string client_ip;
  bool keep_alive = true;
  bool api_allowed = false;  ///< may PURGE (the gateway's API key / loopback rule)
  RequestPlan plan;          ///< plan_request() over routes(), made by the caller
};

/// Counters, readable from any thread.
struct ProxyStats {
  std::atomic<std::uint64_t> hits{0};
  std::atomic<std::uint64_t> misses{0};
  std::atomic<std::uint64_t> stale{0};         ///< stale answers (SWR and stale-if-error)
  std::atomic<std::uint64_t> bypasses{0};      ///< requests that did not use the cache
  std::atomic<std::uint64_t> not_modified{0};  ///< 304s answered from the cache
  std::atomic<std::uint64_t> upstream_requests{0};
  std::atomic<std::uint64_t> upstream_errors{0};      ///< unreachable, timeout, malformed
  std::atomic<std::uint64_t> write_invalidations{0};  ///< writes that invalidated tags (routes)
  std::atomic<std::uint64_t> purges{0};               ///< PURGE requests served
  /// Hits handed to requests that waited behind another one for their URL (WaitingList);
  /// also counted in `hits`.
  std::atomic<std::uint64_t> waited{0};

  /// Upstream request latency (answer or failure): bucket bounds in ms, rendered in
  /// seconds (herald_proxy_upstream_latency_seconds).
  static constexpr std::array<std::uint64_t, 12> kLatencyBoundsMs{
      1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000};
  std::array<std::atomic<std::uint64_t>, kLatencyBoundsMs.size() + 1> latency_buckets{};
  std::atomic<std::uint64_t> latency_sum_us{0};
  std::atomic<std::uint64_t> latency_count{0};
  void observe_upstream(std::chrono::steady_clock::duration d) noexcept;
};

/// Adds one answer of `outcome` to `s`'s counters.
void count(ProxyStats& s, ProxyOutcome outcome) noexcept;

class CachingProxy {
 public:
  CachingProxy(boost::asio::any_io_executor ex, cache::Cache& cache, ProxyOptions options);
  ~CachingProxy();
  CachingProxy(const CachingProxy&) = delete;
  CachingProxy& operator=(const CachingProxy&) = delete;

  boost::asio::awaitable<ProxyAnswer> handle(ProxyRequest request);

  const ProxyStats& stats() const noexcept;
  ProxyStats& stats() noexcept;
  /// Per `[[route]]` (same order as routes()): its answers by outcome (hits, stale,
  /// misses, bypasses, upstream_errors) and its upstream latency.
  const ProxyStats& route_stats(std::size_t route) const noexcept;
  ProxyStats& route_stats(std::size_t route) noexcept;
  /// The `[[route]]` rules (immutable: usable from any thread).
  const RouteTable& routes() const noexcept;
  /// Stops background refreshes from starting (call before the cache stops).
  void stop();

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace herald::proxy
