// RedisStream: the byte stream of one Redis session, plain (TCP or unix socket) or
// TLS over TCP, behind one AsyncReadStream / AsyncWriteStream interface so that
// RedisSession and the handshake read and write through one code path.
//
// Life of one session: reset() gives a fresh, closed plain socket; the caller connects
// socket(); start_tls() (rediss:// only) then moves that socket under an OpenSSL
// stream, sets the name to verify and send as SNI, and runs the TLS handshake. A
// refused certificate comes back as an error of tls_verify_category() naming the
// cause (expired, another host name, unknown CA, ...).
//
// Thread: one executor; at most one read and one write in flight (what Asio's SSL
// stream allows). Cost: plain reads and writes go straight to the socket; the TLS
// branch is one test per call.
#pragma once

#include <herald/redis/url.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/generic/stream_protocol.hpp>
#include <boost/asio/ssl/stream.hpp>

#include <optional>
#include <utility>

namespace herald::redis {

class TlsContext;

/// One socket type for TCP and unix sockets.
using RedisSocket = boost::asio::generic::stream_protocol::socket;

class RedisStream {
 public:
  using executor_type = boost::asio::any_io_executor;

  explicit RedisStream(executor_type executor);

  executor_type get_executor() noexcept { return ex_; }

  /// A fresh, unconnected plain socket; the TLS layer of the last session is gone.
  void reset();
  /// The plain socket, to connect before start_tls() (and, after it, the TLS
  /// layer's transport).
  RedisSocket& socket() noexcept { return tls_ ? tls_->next_layer() : plain_; }
  bool tls() const noexcept { return tls_.has_value(); }

  /// TLS over the connected socket(): verification name and SNI from the URL, then
  /// the client handshake. Errors: the SSL category's (handshake), or
  /// tls_verify_category()'s (the server's certificate was refused).
  boost::asio::awaitable<boost::system::error_code> start_tls(TlsContext& context,
                                                              const RedisUrl& url);

  /// Closes the socket (no TLS close_notify: Redis does not need one); pending
  /// operations complete with operation_aborted. Safe to call at any time.
  void close() noexcept;

  template <class MutableBuffers, class Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    if (tls_) return tls_->async_read_some(buffers, std::forward<Token>(token));
    return plain_.async_read_some(buffers, std::forward<Token>(token));
  }

  template <class ConstBuffers, class Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token) {
    if (tls_) return tls_->async_write_some(buffers, std::forward<Token>(token));
    return plain_.async_write_some(buffers, std::forward<Token>(token));
  }

 private:
  executor_type ex_;
  RedisSocket plain_;
  std::optional<boost::asio::ssl::stream<RedisSocket>> tls_;
};

}  // namespace herald::redis
