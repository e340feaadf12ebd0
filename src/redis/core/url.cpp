// RedisUrl parsing on top of Boost.URL (RFC 3986 parsing, percent-decoding); this
// file only maps the generic URL onto Redis's conventions.
#include <herald/redis/url.hpp>

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

}  // namespace

Result<RedisUrl> RedisUrl::parse(std::string_view text) {
  auto parsed = boost::urls::parse_uri(text);
  if (!parsed) return Errc::bad_url;
  const boost::urls::url_view& u = *parsed;
  RedisUrl out;

  if (u.has_userinfo()) {
    out.user = u.user();
    if (u.has_password()) out.password = u.password();
    // redis://secret@host is the common shorthand for a password without a user.
    if (!u.has_password()) std::swap(out.user, out.password);
  }

  // Query parameters: only db is understood (unix:///path?db=2, redis://host?db=2).
  for (auto param : u.params()) {
    if (param.key != "db") return Errc::bad_url;
    if (!param.has_value || !parse_int(param.value, out.db, 0, 1 << 20)) return Errc::bad_url;
  }

  const auto scheme = u.scheme();
  if (scheme == "unix") {
    if (!u.host().empty() || u.path().empty() || u.has_port()) return Errc::bad_url;
    out.transport = Transport::unix_socket;
    out.path = u.path();
    return out;
  }
  if (scheme != "redis") return Errc::bad_url;

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
    out = "redis://";
    if (!user.empty() || !password.empty()) {
      out += user;
      if (!password.empty()) out += ":***";
      out += '@';
    }
    out += host.find(':') != std::string::npos ? "[" + host + "]" : host;
    out += ':' + std::to_string(port);
  }
  if (db != 0) out += (transport == Transport::unix_socket ? "?db=" : "/") + std::to_string(db);
  return out;
}

}  // namespace herald::redis
