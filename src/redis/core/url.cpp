// RedisUrl parsing on top of Boost.URL (RFC 3986 parsing, percent-decoding); this
// file only maps the generic URL onto Redis's conventions and the TLS options. A
// Sentinel URL's host list ("h1:26379,h2:26379") is no RFC 3986 authority: it is
// split here, each host parsed alone, and the rest parsed on a placeholder host.
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
  if (out.is_sentinel()) {
    if (key == "sentinel_password") return set_once(out.sentinel.password, value);
    if (key == "sentinel_user") return set_once(out.sentinel.user, value);
  }
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

void apply_userinfo(const boost::urls::url_view& u, RedisUrl& out) {
  if (!u.has_userinfo()) return;
  out.user = u.user();
  if (u.has_password()) out.password = u.password();
  // redis://secret@host is the common shorthand for a password without a user.
  if (!u.has_password()) std::swap(out.user, out.password);
}

/// Query parameters: db everywhere (unix:///path?db=2, redis://host?db=2), the TLS
/// options on rediss:// only, the Sentinel ones on Sentinel URLs. '+' is not a
/// space here: file paths keep their '+'.
bool apply_params(const boost::urls::url_view& u, RedisUrl& out) {
  bool seen_insecure = false;
  for (auto param : u.params(boost::urls::encoding_opts{false})) {
    if (!apply_param(param.key, param.has_value, param.value, out, seen_insecure)) return false;
  }
  // A key without its certificate cannot be used.
  if (!out.tls.key_file.empty() && out.tls.cert_file.empty()) return false;
  return true;
}

/// The host (IPv6 without brackets) and port of a tcp URL; false when there is no
/// host or the port is not 1..65535.
bool host_and_port(const boost::urls::url_view& u, std::string& host, std::uint16_t& port) {
  if (u.host_type() == boost::urls::host_type::ipv6) {
    host = u.host_address();  // without the brackets
  } else if (!u.host().empty()) {
    host = u.host();
  } else {
    return false;
  }
  if (u.has_port()) {
    int value = 0;
    if (!parse_int(u.port(), value, 1, 65535)) return false;
    port = static_cast<std::uint16_t>(value);
  }
  return true;
}

/// One "host[:port]" of a Sentinel or Cluster URL's host list; `port` keeps its
/// default when the text has none.
bool parse_list_host(std::string_view text, std::string& host, std::uint16_t& port) {
  if (text.empty()) return false;
  const std::string whole = "redis://" + std::string(text);  // the view points into it
  auto parsed = boost::urls::parse_uri(whole);
  if (!parsed) return false;
  const boost::urls::url_view& u = *parsed;
  if (u.has_userinfo() || !u.encoded_path().empty() || u.has_query() || u.has_fragment())
    return false;
  // A host name is written as is (no percent-encoding): logs show what was configured.
  if (u.encoded_host().find('%') != std::string_view::npos) return false;
  return host_and_port(u, host, port);
}

/// A multi-host URL ("scheme://[userinfo@]h1[:p],h2[:p]/tail") cut in three: the
/// userinfo (with its '@'), the host list and the tail (path, query).
struct MultiHost {
  std::string_view userinfo;
  std::vector<std::string_view> hosts;
  std::string_view tail;
};

bool split_multi_host(std::string_view text, MultiHost& out) {
  std::string_view rest = text.substr(text.find("://") + 3);
  const auto authority_end = rest.find_first_of("/?#");
  const std::string_view authority = rest.substr(0, authority_end);
  out.tail =
      authority_end == std::string_view::npos ? std::string_view{} : rest.substr(authority_end);
  const auto at = authority.rfind('@');
  out.userinfo = at == std::string_view::npos ? std::string_view{} : authority.substr(0, at + 1);
  std::string_view hosts = at == std::string_view::npos ? authority : authority.substr(at + 1);
  for (;;) {
    const auto comma = hosts.find(',');
    if (out.hosts.size() == RedisUrl::kMaxSentinels) return false;
    out.hosts.push_back(hosts.substr(0, comma));
    if (comma == std::string_view::npos) break;
    hosts.remove_prefix(comma + 1);
  }
  return true;
}

/// A master name: letters, digits and "-_.:" (what sentinel.conf's names use; no
/// character that needs percent-encoding in a URL), at most 256.
bool valid_master_name(std::string_view name) {
  if (name.empty() || name.size() > 256) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.' || c == ':';
    if (!ok) return false;
  }
  return true;
}

Result<RedisUrl> parse_sentinel(std::string_view text, bool tls) {
  RedisUrl out;
  out.tls.enabled = tls;
  MultiHost parts;
  if (!split_multi_host(text, parts)) return Errc::bad_url;
  for (std::string_view h : parts.hosts) {
    SentinelAddress address;
    if (!parse_list_host(h, address.host, address.port)) return Errc::bad_url;
    out.sentinel.sentinels.push_back(std::move(address));
  }
  const std::string_view userinfo = parts.userinfo;
  const std::string_view tail = parts.tail;

  // Userinfo, master name and query, as one ordinary URL on a placeholder host.
  // Named: the url_view refers to these bytes (a temporary would dangle).
  const std::string placeholder =
      "redis://" + std::string(userinfo) + "sentinel" + std::string(tail);
  auto parsed = boost::urls::parse_uri(placeholder);
  if (!parsed) return Errc::bad_url;
  const boost::urls::url_view& u = *parsed;
  if (u.has_port() || u.has_fragment()) return Errc::bad_url;
  apply_userinfo(u, out);
  std::string path = u.path();
  if (path.empty() || path.front() != '/') return Errc::bad_url;
  path.erase(0, 1);
  if (!valid_master_name(path)) return Errc::bad_url;
  out.sentinel.master_name = std::move(path);
  if (!apply_params(u, out)) return Errc::bad_url;
  if (!out.sentinel.user.empty() && out.sentinel.password.empty()) return Errc::bad_url;
  // host/port stay unused: the sentinels name the master on every connect.
  out.host.clear();
  out.port = 0;
  return out;
}

Result<RedisUrl> parse_cluster(std::string_view text, bool tls) {
  RedisUrl out;
  out.tls.enabled = tls;
  MultiHost parts;
  if (!split_multi_host(text, parts)) return Errc::bad_url;
  for (std::string_view h : parts.hosts) {
    ClusterSeed seed;
    if (!parse_list_host(h, seed.host, seed.port)) return Errc::bad_url;
    out.cluster.push_back(std::move(seed));
  }
  // Userinfo and query, as one ordinary URL on a placeholder host (named: the
  // url_view refers to these bytes).
  const std::string placeholder =
      "redis://" + std::string(parts.userinfo) + "cluster" + std::string(parts.tail);
  auto parsed = boost::urls::parse_uri(placeholder);
  if (!parsed) return Errc::bad_url;
  const boost::urls::url_view& u = *parsed;
  if (u.has_port() || u.has_fragment()) return Errc::bad_url;
  const std::string_view path = u.encoded_path();
  if (!path.empty() && path != "/") return Errc::bad_url;
  apply_userinfo(u, out);
  if (!apply_params(u, out)) return Errc::bad_url;
  if (out.db != 0) return Errc::bad_url;  // a cluster has database 0 only
  out.host = out.cluster.front().host;
  out.port = out.cluster.front().port;
  return out;
}

}  // namespace

Result<RedisUrl> RedisUrl::parse(std::string_view text) {
  if (text.starts_with("redis+sentinel://")) return parse_sentinel(text, false);
  if (text.starts_with("rediss+sentinel://")) return parse_sentinel(text, true);
  if (text.starts_with("redis+cluster://")) return parse_cluster(text, false);
  if (text.starts_with("rediss+cluster://")) return parse_cluster(text, true);
  auto parsed = boost::urls::parse_uri(text);
  if (!parsed) return Errc::bad_url;
  const boost::urls::url_view& u = *parsed;
  RedisUrl out;

  const auto scheme = u.scheme();
  if (scheme != "unix" && scheme != "redis" && scheme != "rediss") return Errc::bad_url;
  out.tls.enabled = scheme == "rediss";

  apply_userinfo(u, out);
  if (!apply_params(u, out)) return Errc::bad_url;

  if (scheme == "unix") {
    if (!u.host().empty() || u.path().empty() || u.has_port()) return Errc::bad_url;
    out.transport = Transport::unix_socket;
    out.path = u.path();
    return out;
  }

  out.transport = Transport::tcp;
  if (!host_and_port(u, out.host, out.port)) return Errc::bad_url;
  std::string_view path = u.encoded_path();
  if (!path.empty() && path != "/") {
    if (path.front() != '/' || !parse_int(path.substr(1), out.db, 0, 1 << 20)) return Errc::bad_url;
  }
  return out;
}

namespace {

std::string bracketed(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

}  // namespace

std::string RedisUrl::redacted() const {
  std::string out;
  if (is_cluster()) {
    out = tls.enabled ? "rediss+cluster://" : "redis+cluster://";
    if (!user.empty() || !password.empty()) {
      out += user;
      if (!password.empty()) out += ":***";
      out += '@';
    }
    for (std::size_t i = 0; i < cluster.size(); ++i) {
      if (i != 0) out += ',';
      out += bracketed(cluster[i].host) + ':' + std::to_string(cluster[i].port);
    }
    if (tls.enabled && tls.insecure) out += "?insecure=true";
    return out;
  }
  if (is_sentinel()) {
    out = tls.enabled ? "rediss+sentinel://" : "redis+sentinel://";
    if (!user.empty() || !password.empty()) {
      out += user;
      if (!password.empty()) out += ":***";
      out += '@';
    }
    for (std::size_t i = 0; i < sentinel.sentinels.size(); ++i) {
      if (i != 0) out += ',';
      out +=
          bracketed(sentinel.sentinels[i].host) + ':' + std::to_string(sentinel.sentinels[i].port);
    }
    out += '/' + sentinel.master_name;
    char sep = '?';
    if (db != 0) {
      out += "?db=" + std::to_string(db);
      sep = '&';
    }
    if (tls.enabled && tls.insecure) out += std::string(1, sep) + "insecure=true";
    return out;
  }
  if (transport == Transport::unix_socket) {
    out = "unix://" + path;
  } else {
    out = tls.enabled ? "rediss://" : "redis://";
    if (!user.empty() || !password.empty()) {
      out += user;
      if (!password.empty()) out += ":***";
      out += '@';
    }
    out += bracketed(host);
    out += ':' + std::to_string(port);
  }
  if (db != 0) out += (transport == Transport::unix_socket ? "?db=" : "/") + std::to_string(db);
  if (tls.enabled && tls.insecure) out += "?insecure=true";
  return out;
}

}  // namespace herald::redis
