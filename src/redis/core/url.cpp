// RedisUrl parsing on top of Boost.URL (RFC 3986 parsing, percent-decoding); this
// file only maps the generic URL onto Redis's conventions and the TLS options.
#include <herald/redis/url.hpp>

#include <boost/url/encoding_opts.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <charconv>

namespace herald::redis {
namespace {

bool parse_int(std::string_view text, int& out, int min, int max) {
  int value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || ptr != text.data() + text.size() || value < min || value > max)
    return false;
  out = value;
  return true;
}

/// A TLS option's value into `out`: once, not empty, no NUL (the value becomes a C
/// string for OpenSSL, and a NUL would cut a path short).
bool set_once(std::string& out, std::string_view value) {
  if (!out.empty() || value.empty() || value.find('\0') != std::string_view::npos) return false;
  out = std::string(value);
  return true;
}

/// One query parameter into `out`; false for anything not understood.
bool apply_param(std::string_view key, bool has_value, std::string_view value, RedisUrl& out,
                 bool& seen_insecure) {
  if (!has_value) return false;
  if (key == "db") return parse_int(value, out.db, 0, 1 << 20);
  if (!out.tls.enabled) return false;  // TLS options on a plain URL: a missing "s"
  TlsOptions& tls = out.tls;
  if (key == "ca_file") return set_once(tls.ca_file, value);
  if (key == "ca_dir") return set_once(tls.ca_dir, value);
  if (key == "cert_file") return set_once(tls.cert_file, value);
  if (key == "key_file") return set_once(tls.key_file, value);
  if (key == "server_name") {
    // A host name as it would appear in a certificate: no spaces, no separators.
    if (value.find_first_of(" \t\r\n/?#@[]") != std::string_view::npos) return false;
    return set_once(tls.server_name, value);
  }
  if (key == "insecure") {
    if (seen_insecure || (value != "true" && value != "false")) return false;
    seen_insecure = true;
    tls.insecure = value == "true";
    return true;
  }
  return false;
}

}  // namespace

Result<RedisUrl> RedisUrl::parse(std::string_view text) {
  auto parsed = boost::urls::parse_uri(text);
  if (!parsed) return Errc::bad_url;
  const boost::urls::url_view& u = *parsed;
  RedisUrl out;

  const auto scheme = u.scheme();
  if (scheme != "unix" && scheme != "redis" && scheme != "rediss") return Errc::bad_url;
  out.tls.enabled = scheme == "rediss";

  if (u.has_userinfo()) {
    out.user = u.user();
    if (u.has_password()) out.password = u.password();
    // redis://secret@host is the common shorthand for a password without a user.
    if (!u.has_password()) std::swap(out.user, out.password);
  }

  // Query parameters: db everywhere (unix:///path?db=2, redis://host?db=2), the TLS
  // options on rediss:// only. '+' is not a space here: file paths keep their '+'.
  bool seen_insecure = false;
  for (auto param : u.params(boost::urls::encoding_opts{false})) {
    if (!apply_param(param.key, param.has_value, param.value, out, seen_insecure))
      return Errc::bad_url;
  }
  // A key without its certificate cannot be used.
  if (!out.tls.key_file.empty() && out.tls.cert_file.empty()) return Errc::bad_url;

  if (scheme == "unix") {
    if (!u.host().empty() || u.path().empty() || u.has_port()) return Errc::bad_url;
    out.transport = Transport::unix_socket;
    out.path = u.path();
    return out;
  }

  out.transport = Transport::tcp;
  if (u.host_type() == boost::urls::host_type::ipv6) {
    out.host = u.host_address();  // without the brackets
  } else if (!u.host().empty()) {
    out.host = u.host();
  } else {
    return Errc::bad_url;
  }
  if (u.has_port()) {
    int port = 0;
    if (!parse_int(u.port(), port, 1, 65535)) return Errc::bad_url;
    out.port = static_cast<std::uint16_t>(port);
  }
  std::string_view path = u.encoded_path();
  if (!path.empty() && path != "/") {
    if (path.front() != '/' || !parse_int(path.substr(1), out.db, 0, 1 << 20)) return Errc::bad_url;
  }
  return out;
}

std::string RedisUrl::redacted() const {
  std::string out;
  if (transport == Transport::unix_socket) {
    out = "unix://" + path;
  } else {
    out = tls.enabled ? "rediss://" : "redis://";
    if (!user.empty() || !password.empty()) {
      out += user;
      if (!password.empty()) out += ":***";
      out += '@';
    }
    out += host.find(':') != std::string::npos ? "[" + host + "]" : host;
    out += ':' + std::to_string(port);
  }
  if (db != 0) out += (transport == Transport::unix_socket ? "?db=" : "/") + std::to_string(db);
  if (tls.enabled && tls.insecure) out += "?insecure=true";
  return out;
}

}  // namespace herald::redis
