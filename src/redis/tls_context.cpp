// TlsContext (see tls_context.hpp): an OpenSSL client context from a URL's TLS
// options, the category of certificate verification failures, and prepare_tls().
#include <herald/redis/tls_context.hpp>

#include <boost/asio/ssl/context.hpp>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <spdlog/spdlog.h>

#include <filesystem>
#include <string>

namespace herald::redis {
namespace ssl = boost::asio::ssl;

namespace {

/// OpenSSL's queued errors as one line (most recent last), and the queue emptied.
std::string openssl_errors() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    const char* reason = ERR_reason_error_string(e);
    out += reason != nullptr ? reason : buf;
  }
  return out.empty() ? "unknown OpenSSL error" : out;
}

std::string failed(const std::string& what, const std::string& path) {
  return what + " '" + path + "': " + openssl_errors();
}

/// An existing file, or why not (OpenSSL's own message for a missing file is terse).
std::string check_file(const char* option, const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    return std::string("redis TLS ") + option + " '" + path + "' does not exist or is not a file";
  return {};
}

class TlsVerifyCategory final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "herald.redis.tls_verify"; }
  std::string message(int value) const override {
    const std::string detail = X509_verify_cert_error_string(value);
    switch (value) {
      case X509_V_ERR_CERT_HAS_EXPIRED:
        return "TLS: the redis server's certificate has expired (" + detail + ")";
      case X509_V_ERR_CERT_NOT_YET_VALID:
        return "TLS: the redis server's certificate is not valid yet (" + detail + ")";
      case X509_V_ERR_HOSTNAME_MISMATCH:
      case X509_V_ERR_IP_ADDRESS_MISMATCH:
        return "TLS: the redis server's certificate is for another host name (" + detail +
               "; the URL's host, or server_name=, must be in the certificate)";
      case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
      case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
      case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
      case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
      case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
      case X509_V_ERR_CERT_UNTRUSTED:
        return "TLS: the redis server's certificate is not signed by a trusted CA (" + detail +
               "; check ca_file / ca_dir)";
      default:
        return "TLS: the redis server's certificate was rejected (" + detail + ")";
    }
  }
};

}  // namespace

TlsContext::TlsContext(std::unique_ptr<ssl::context> context, bool verifies)
    : context_(std::move(context)), verifies_(verifies) {}

TlsContext::~TlsContext() = default;

std::shared_ptr<TlsContext> TlsContext::make(const RedisUrl& url, std::string& error) {
  const TlsOptions& o = url.tls;
  error.clear();
  ERR_clear_error();
  auto context = std::make_unique<ssl::context>(ssl::context::tls_client);
  SSL_CTX* ctx = context->native_handle();
  if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1) {
    error = "redis TLS: cannot require TLS 1.2: " + openssl_errors();
    return nullptr;
  }

  if (!o.ca_file.empty() || !o.ca_dir.empty()) {
    if (!o.ca_file.empty()) {
      if (error = check_file("ca_file", o.ca_file); !error.empty()) return nullptr;
    }
    if (!o.ca_dir.empty()) {
      std::error_code ec;
      if (!std::filesystem::is_directory(o.ca_dir, ec)) {
        error = "redis TLS ca_dir '" + o.ca_dir + "' is not a directory";
        return nullptr;
      }
    }
    if (SSL_CTX_load_verify_locations(ctx, o.ca_file.empty() ? nullptr : o.ca_file.c_str(),
                                      o.ca_dir.empty() ? nullptr : o.ca_dir.c_str()) != 1) {
      error = failed("redis TLS: cannot load the CA certificates of",
                     o.ca_file.empty() ? o.ca_dir : o.ca_file);
      return nullptr;
    }
  } else if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
    error = "redis TLS: cannot use the default trust store: " + openssl_errors();
    return nullptr;
  }

  if (!o.cert_file.empty()) {
    const std::string& key = o.key_file.empty() ? o.cert_file : o.key_file;
    if (error = check_file("cert_file", o.cert_file); !error.empty()) return nullptr;
    if (error = check_file("key_file", key); !error.empty()) return nullptr;
    if (SSL_CTX_use_certificate_chain_file(ctx, o.cert_file.c_str()) != 1) {
      error = failed("redis TLS: cannot load the client certificate", o.cert_file);
      return nullptr;
    }
    if (SSL_CTX_use_PrivateKey_file(ctx, key.c_str(), SSL_FILETYPE_PEM) != 1) {
      error = failed("redis TLS: cannot load the client key (does it belong to cert_file?)", key);
      return nullptr;
    }
    if (SSL_CTX_check_private_key(ctx) != 1) {
      error = failed("redis TLS: the client key does not match the certificate", o.cert_file);
      return nullptr;
    }
  }

  const bool verifies = !o.insecure;
  SSL_CTX_set_verify(ctx, verifies ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, nullptr);
  if (!verifies) {
    spdlog::warn(
        "redis {}: TLS certificate and host name verification are OFF (insecure=true): the "
        "connection is encrypted, but anyone on the network path can pose as the server",
        url.redacted());
  }
  return std::shared_ptr<TlsContext>(new TlsContext(std::move(context), verifies));
}

std::string prepare_tls(ConnectionConfig& config) {
  if (!config.url.tls.enabled || config.tls) return {};
  std::string error;
  config.tls = TlsContext::make(config.url, error);
  return error;
}

const boost::system::error_category& tls_verify_category() noexcept {
  static const TlsVerifyCategory category;
  return category;
}

}  // namespace herald::redis
