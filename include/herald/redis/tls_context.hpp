// TlsContext: the OpenSSL client context of one rediss:// URL, built once from its
// TLS options (RedisUrl::tls) and shared by every connection made with that URL
// (through ConnectionConfig::tls): trust anchors, client certificate and key, and
// whether the server is verified.
//
// Verification is on unless the URL says insecure=true: the server's chain must lead
// to ca_file / ca_dir (or, with neither, to OpenSSL's default trust store, which
// SSL_CERT_FILE and SSL_CERT_DIR override), and its certificate must name the host
// (per connection: RedisStream sets the name, SNI included). TLS 1.2 at least.
//
// Thread: immutable once made; connections on any thread may share it. Cost: make()
// reads the CA, certificate and key files (the default store is read lazily);
// nothing is read again per connection.
#pragma once

#include <herald/redis/config.hpp>

#include <boost/system/error_category.hpp>

#include <memory>
#include <string>

namespace boost::asio::ssl {
class context;
}

namespace herald::redis {

class TlsContext {
 public:
  /// The context for url.tls (a rediss:// URL). On failure returns null and sets
  /// `error` to a sentence naming the file and OpenSSL's reason. With insecure=true
  /// it logs a warning: the connection is encrypted but the server not authenticated.
  static std::shared_ptr<TlsContext> make(const RedisUrl& url, std::string& error);

  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  boost::asio::ssl::context& native() noexcept { return *context_; }
  /// False with insecure=true: neither the chain nor the host name is checked.
  bool verifies() const noexcept { return verifies_; }

 private:
  TlsContext(std::unique_ptr<boost::asio::ssl::context> context, bool verifies);

  std::unique_ptr<boost::asio::ssl::context> context_;
  bool verifies_;
};

/// For a rediss:// config.url without config.tls: makes the context and sets it.
/// Returns "" on success or when there is nothing to do, else why not (see make()).
/// Call it once per URL and copy the config, so that connections share the context.
std::string prepare_tls(ConnectionConfig& config);

/// Why a server's certificate was refused: values are OpenSSL's X509_V_ERR_* codes
/// (X509_V_ERR_CERT_HAS_EXPIRED, X509_V_ERR_HOSTNAME_MISMATCH, ...); messages name the
/// cause ("TLS: the redis server's certificate has expired").
const boost::system::error_category& tls_verify_category() noexcept;

}  // namespace herald::redis
