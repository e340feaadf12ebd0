// RedisStream (see redis_stream.hpp): the TLS start of a session, per connection:
// the name to verify (a DNS name or an IP address), SNI, the handshake, and the
// translation of a refused certificate into tls_verify_category().
#include "redis/redis_stream.hpp"

#include <herald/redis/tls_context.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

namespace herald::redis {
namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using boost::system::error_code;

namespace {

/// OpenSSL's last queued error as an error code; never success, even when OpenSSL
/// queued nothing.
error_code last_ssl_error() {
  const unsigned long e = ::ERR_get_error();
  if (e == 0) return asio::error::invalid_argument;
  return {static_cast<int>(e), asio::error::get_ssl_category()};
}

}  // namespace

RedisStream::RedisStream(executor_type executor) : ex_(std::move(executor)), plain_(ex_) {}

void RedisStream::reset() {
  close();
  tls_.reset();
  plain_ = RedisSocket{ex_};
}

void RedisStream::close() noexcept {
  error_code ignored;
  socket().close(ignored);
}

asio::awaitable<error_code> RedisStream::start_tls(TlsContext& context, const RedisUrl& url) {
  tls_.emplace(std::move(plain_), context.native());
  SSL* ssl = tls_->native_handle();
  const std::string& name = url.tls_server_name();
  error_code not_ip;
  (void)asio::ip::make_address(name, not_ip);
  // RFC 6066: SNI carries host names only, never IP literals.
  if (not_ip && SSL_set_tlsext_host_name(ssl, name.c_str()) != 1) co_return last_ssl_error();
  if (context.verifies()) {
    int set = 0;
    if (not_ip) {
      SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
      set = SSL_set1_host(ssl, name.c_str());
    } else {
      set = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name.c_str());
    }
    if (set != 1) co_return last_ssl_error();
  }
  auto [ec] =
      co_await tls_->async_handshake(ssl::stream_base::client, asio::as_tuple(asio::use_awaitable));
  if (ec && context.verifies()) {
    const long verdict = SSL_get_verify_result(ssl);
    if (verdict != X509_V_OK)
      co_return error_code{static_cast<int>(verdict), tls_verify_category()};
  }
  co_return ec;
}

}  // namespace herald::redis
