// HttpProxy: the gateway's entry to the HTTP cache gateway. The gateway's HTTP
// session calls serve() for every request that is not one of Herald's own routes.
// A fresh answer the shards already hold (FreshAnswerTable) is written at once, on
// the client's thread; a request for a URL already on its way waits for that trip's
// copy (WaitingList); anything else goes to the CachingProxy on the cache's thread
// and back. Either way the answer is one gathered write (head, answer-time fields,
// body).
//
// Thread: serve() from any shard coroutine (it may hop to the cache executor and back).
// stats() from any thread. Construct and destroy where the cache lives (see
// CacheHost); destroy before the cache.
#pragma once

#include "proxy/caching_proxy.hpp"
#include "proxy/core/cache_status.hpp"
#include "proxy/fresh_answer_table.hpp"
#include "proxy/upgrade_tunnel.hpp"
#include "proxy/waiting_list.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <memory>
#include <string>

namespace herald::proxy {

class HttpProxy {
 public:
  HttpProxy(boost::asio::any_io_executor cache_executor, cache::Cache& cache, ProxyOptions options);
  ~HttpProxy();

  /// Answers `request` from the cache or the upstream. Returns whether the connection
  /// may carry another request. Never throws for an upstream failure (502/504).
  /// `api_allowed`: the client may use Herald's HTTP API (API key or loopback, as the
  /// gateway decides); it gates PURGE.
  boost::asio::awaitable<bool> serve(
      boost::beast::tcp_stream& stream,
      boost::beast::http::request<boost::beast::http::string_body>& request, bool api_allowed);

  /// An Upgrade (WebSocket) request for the app: relayed to the upstream until either
  /// side closes (UpgradeTunnel). The connection is done afterwards.
  boost::asio::awaitable<void> tunnel(
      boost::beast::tcp_stream& stream, boost::beast::flat_buffer& buffer,
      boost::beast::http::request<boost::beast::http::string_body>& request);

  const ProxyStats& stats() const noexcept;
  /// Prometheus text of the proxy's counters.
  std::string prometheus() const;
  /// Stops background work; call on the cache executor before the cache stops.
  void stop();

 private:
  /// Whether the request may be answered from a stored copy (not a bypass or PURGE).
  static bool cacheable(const ProxyRequest& request);
  /// The answer from a fresh copy held here, or nullopt (go the full way).
  std::optional<ProxyAnswer> fresh_answer(const ProxyRequest& request);
  /// The answer from `copy` if it still serves (generation, freshness) and matches the
  /// request's Vary'd fields; counted as a hit.
  std::optional<ProxyAnswer> answer_from(const ProxyRequest& request, const FreshCopy& copy,
                                         CacheStatus cs);

  boost::asio::any_io_executor cache_executor_;
  cache::Cache& cache_;
  std::unique_ptr<CachingProxy> proxy_;
  FreshAnswerTable fresh_;
  WaitingList waiting_;   ///< cold requests behind the first one for their URL
  ProxyOptions options_;  ///< a copy for the tunnels (the shards' side)
  TunnelStats tunnels_;
};

}  // namespace herald::proxy
