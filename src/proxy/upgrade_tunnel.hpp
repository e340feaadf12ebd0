// UpgradeTunnel: an Upgrade request (a WebSocket handshake) for a path that is not
// Herald's, carried to the app and, once the app answers 101 Switching Protocols,
// relayed byte for byte in both directions until either side closes. Herald neither
// parses nor caches what flows through; the app's own WebSocket server keeps working
// behind Herald unchanged.
//
// The request goes out as the proxy forwards any request (hop-by-hop fields removed,
// unkeyed client fields dropped, X-Forwarded-* set), plus `Connection: Upgrade` and
// the client's `Upgrade`. An answer other than 101 is passed to the client as it came
// (its body up to the proxy's body limit) and the connection is closed.
//
// Thread: run() on the client's shard; the upstream connection is its own (not the
// pool's) and lives on the same executor. Cost: two relays of 16 KiB buffers; no
// timeout once switched (the protocol's own pings keep or end it).
#pragma once

#include "proxy/proxy_options.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <atomic>
#include <cstdint>
#include <string>

namespace herald::proxy {

struct TunnelStats {
  std::atomic<std::uint64_t> opened{0};   ///< 101s relayed
  std::atomic<std::uint64_t> refused{0};  ///< upstream answered something else, or failed
  std::atomic<std::int64_t> open{0};      ///< tunnels open now
};

class UpgradeTunnel {
 public:
  UpgradeTunnel(const ProxyOptions& options, TunnelStats& stats)
      : options_(options), stats_(stats) {}

  /// Carries `request` (read from `client`, whose unread bytes are in `buffer`) to
  /// the upstream and relays until either side closes. The client connection is done
  /// afterwards (never kept alive).
  boost::asio::awaitable<void> run(
      boost::beast::tcp_stream& client, boost::beast::flat_buffer& buffer,
      const boost::beast::http::request<boost::beast::http::string_body>& request,
      std::string client_ip);

 private:
  const ProxyOptions& options_;
  TunnelStats& stats_;
};

}  // namespace herald::proxy
