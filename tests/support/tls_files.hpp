// TlsFiles: a throw-away PKI for TLS tests, made at run time with the openssl command
// line in a private temp dir (no key is ever committed): a test CA, a second CA that
// signed nothing the servers present (the "wrong CA"), and certificates signed by
// the test CA: a good server certificate (localhost / 127.0.0.1), one for another
// host name, an expired one, and a client certificate for mutual TLS.
// EC P-256 keys: quick to make (a few ms each). Blocking: for the test thread.
#pragma once

#include <string>
#include <vector>

namespace herald::test {

class TlsFiles {
 public:
  /// Makes every file; throws std::runtime_error with openssl's output on failure.
  TlsFiles();
  ~TlsFiles();
  TlsFiles(const TlsFiles&) = delete;
  TlsFiles& operator=(const TlsFiles&) = delete;

  const std::string& dir() const noexcept { return dir_; }
  std::string path(const std::string& name) const { return dir_ + "/" + name; }

  std::string ca() const { return path("ca.crt"); }              ///< signs everything below
  std::string other_ca() const { return path("other-ca.crt"); }  ///< signs nothing used
  /// A directory holding ca() under its hashed name (`openssl rehash`), for ca_dir=.
  std::string ca_dir() const { return path("ca-dir"); }
  /// Server certificate for DNS:localhost and IP:127.0.0.1, and its key.
  std::string server_cert() const { return path("server.crt"); }
  std::string server_key() const { return path("server.key"); }
  /// Valid, signed by ca(), but only for DNS:other.example.
  std::string other_name_cert() const { return path("other-name.crt"); }
  std::string other_name_key() const { return path("other-name.key"); }
  /// For localhost / 127.0.0.1 and signed by ca(), but expired a day ago.
  std::string expired_cert() const { return path("expired.crt"); }
  std::string expired_key() const { return path("expired.key"); }
  /// Client certificate (CN=herald) and key, signed by ca().
  std::string client_cert() const { return path("client.crt"); }
  std::string client_key() const { return path("client.key"); }

 private:
  void openssl(std::vector<std::string> args) const;
  void make_ca(const std::string& name, const std::string& subject) const;
  /// name.key + name.crt signed by ca(), with subjectAltName `san`, valid for `days`.
  void make_leaf(const std::string& name, const std::string& subject, const std::string& san,
                 int days, int serial) const;

  std::string dir_;
};

}  // namespace herald::test
