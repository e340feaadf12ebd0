// UpstreamPool: HTTP/1.1 requests to the app over a pool of keep-alive connections.
//
// fetch() takes an idle connection (or connects, under connect_timeout), writes the
// request, reads the response header under header_timeout and the body under
// body_timeout (a body past max_object_bytes is handed over as an
// UpstreamBodyStream). A connection goes back to
// the pool only after a complete, keep-alive response with nothing left over in its
// buffer, so a malformed answer (bad status line, truncated body, a Content-Length
// that lies, a header that never ends) never poisons the next request. A GET/HEAD on
// a reused connection that fails before any byte of the answer is retried once on a
// fresh connection (the upstream may have closed an idle keep-alive connection).
//
// Thread: one executor; call fetch() from coroutines on it. Cost: one connection per
// concurrent fetch; idle connections are bounded by max_idle_connections.
#pragma once

#include "proxy/core/header_list.hpp"
#include "proxy/proxy_options.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace herald::proxy {

struct UpstreamRequest {
  std::string method = "GET";
  std::string target = "/";
  HeaderList headers;  ///< already filtered (forward_request_headers); Host included
  std::string body;
};

struct UpstreamResponse {
  unsigned status = 0;
  std::string reason;
  HeaderList headers;
  std::string body;
  bool keep_alive = true;
};

enum class UpstreamFailure {
  none,
  unreachable,  ///< connect failed or the connection broke before an answer: 502
  timeout,      ///< connect, header or body timeout: 504
  malformed,    ///< not an HTTP/1.1 answer, truncated, or too large: 502
};

class UpstreamBodyStream;

struct UpstreamResult {
  std::optional<UpstreamResponse> response;
  /// Set when the body is larger than the proxy stores (max_object_bytes): then
  /// response->body is empty and the whole body comes from here (never stored).
  std::shared_ptr<UpstreamBodyStream> stream;
  UpstreamFailure failure = UpstreamFailure::none;
  std::string detail;  ///< what went wrong, for the error body and the log
};

class UpstreamPool {
 public:
  UpstreamPool(boost::asio::any_io_executor ex, ProxyOptions options);
  ~UpstreamPool();
  UpstreamPool(const UpstreamPool&) = delete;
  UpstreamPool& operator=(const UpstreamPool&) = delete;

  boost::asio::awaitable<UpstreamResult> fetch(const UpstreamRequest& request);

  std::size_t idle() const noexcept;
  /// Connections opened so far (tests: the pool reuses them).
  std::size_t opened() const noexcept;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace herald::proxy
