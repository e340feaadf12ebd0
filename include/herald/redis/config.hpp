// ConnectionConfig: how a Connection, Pool or Subscriber connects and recovers.
// Every default says why it is what it is.
#pragma once

#include <herald/redis/url.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

namespace herald::redis {

class TlsContext;

struct ConnectionConfig {
  RedisUrl url;

  /// The TLS context of a rediss:// url, shared by the connections that copy this
  /// config (prepare_tls() in tls_context.hpp makes it). Null with a rediss:// URL:
  /// each connection makes its own when it is constructed.
  std::shared_ptr<TlsContext> tls;

  /// Connect + TLS handshake (rediss://) + AUTH/SELECT must finish within this. 2 s:
  /// loopback and LAN connects take well under 10 ms (a TLS handshake adds one or two
  /// round trips and a few ms of CPU), so anything slower is an outage.
  std::chrono::milliseconds connect_timeout{2000};

  /// Default wait for a reply. 5 s: long enough for a slow Lua script or a large
  /// SCAN batch, short enough that a stuck server does not hold callers for long.
  /// A request can set its own (Request::timeout), e.g. for XREAD BLOCK.
  std::chrono::milliseconds request_timeout{5000};

  /// Reconnect backoff: first retry after reconnect_min, doubling up to
  /// reconnect_max, each delay with +-50% jitter so that many nodes that lost the
  /// same Redis do not reconnect in lockstep. 50 ms / 2 s: a restarted Redis is
  /// back in well under a second, and a dead one is probed at most every 2 s.
  std::chrono::milliseconds reconnect_min{50};
  std::chrono::milliseconds reconnect_max{2000};

  /// CLIENT SETNAME on every connection, so `CLIENT LIST` shows who is who.
  std::string client_name = "herald";

  /// Bytes read from the socket per read call. 64 KiB: one read drains thousands of
  /// small pipelined replies; larger buffers bought nothing in bench/redis_client.
  std::size_t read_chunk_bytes = std::size_t{64} * 1024;

  /// Largest array the reader accepts (elements). 64 Mi: beyond anything a sane
  /// command returns, and it stops a corrupt stream from making us allocate wildly.
  std::size_t max_array_elements = std::size_t{64} * 1024 * 1024;
};

}  // namespace herald::redis
