// Shared by the TLS tests: one TlsFiles per test binary (made once, removed at exit),
// rediss:// URLs for a RedisServer, a wait for a connection's last connect error,
// and a log sink to read what the Redis client logged.
#pragma once

#include <herald/redis/connection.hpp>

#include "support/redis_server.hpp"
#include "support/tls_files.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <memory>
#include <string>

namespace herald::test {

/// The PKI of this test binary, made on first use.
inline const TlsFiles& tls_files() {
  static const TlsFiles files;
  return files;
}

/// A TLS redis-server presenting `cert` (and `key`), trusting ca() for clients.
inline RedisServer::Tls server_tls(const std::string& cert, const std::string& key,
                                   const std::string& auth_clients = "no") {
  RedisServer::Tls tls;
  tls.cert_file = cert;
  tls.key_file = key;
  tls.ca_file = tls_files().ca();
  tls.auth_clients = auth_clients;
  return tls;
}

/// server.url() (rediss://127.0.0.1:<port>) with `host` instead of 127.0.0.1 and
/// `query` appended.
inline std::string tls_url(const RedisServer& server, const std::string& query,
                           const std::string& host = "127.0.0.1") {
  std::string url = "rediss://" + host + ":" + std::to_string(server.port());
  if (!query.empty()) url += "?" + query;
  return url;
}

/// Polls (every 5 ms) until `c` has failed `failures` connects, or `limit` passes.
/// Connect failures have no event to wait on; this waits for the condition.
inline boost::asio::awaitable<bool> wait_connect_failures(
    const redis::Connection& c, std::uint64_t failures,
    std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  boost::asio::steady_timer timer{co_await boost::asio::this_coro::executor};
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (c.stats().connect_failures < failures) {
    if (std::chrono::steady_clock::now() >= deadline) co_return false;
    timer.expires_after(std::chrono::milliseconds(5));
    co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
  }
  co_return true;
}

/// Lines logged through spdlog's default logger while it lives.
class LogCapture {
 public:
  LogCapture() : sink_(std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(256)) {
    spdlog::default_logger()->sinks().push_back(sink_);
  }
  ~LogCapture() {
    auto& sinks = spdlog::default_logger()->sinks();
    std::erase(sinks, sink_);
  }
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;

  /// True when a line logged since construction contains `text`.
  bool contains(const std::string& text) const {
    for (const auto& line : sink_->last_formatted())
      if (line.find(text) != std::string::npos) return true;
    return false;
  }
  std::string all() const {
    std::string out;
    for (const auto& line : sink_->last_formatted()) out += line;
    return out;
  }

 private:
  std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> sink_;
};

}  // namespace herald::test
