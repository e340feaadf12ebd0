// Request and response field filtering (contract in forwarding.hpp).
#include "proxy/core/forwarding.hpp"

#include <array>

namespace herald::proxy {
namespace {

constexpr std::array<std::string_view, 9> kHopByHop{
    "connection", "keep-alive",          "proxy-connection",  "te", "trailer", "transfer-encoding",
    "upgrade",    "proxy-authorization", "proxy-authenticate"};

/// Fields a client must not pass to the upstream as they came: they change what the
/// upstream answers (links, redirects, routing) without being part of the cache key.
constexpr std::array<std::string_view, 11> kUnkeyed{"x-forwarded-for",
                                                    "x-forwarded-proto",
                                                    "x-forwarded-host",
                                                    "x-forwarded-port",
                                                    "x-forwarded-server",
                                                    "x-forwarded-scheme",
                                                    "forwarded",
                                                    "x-real-ip",
                                                    "x-original-url",
                                                    "x-rewrite-url",
                                                    "x-host"};

constexpr std::array<std::string_view, 3> kMethodOverrides{"x-http-method-override",
                                                           "x-http-method", "x-method-override"};

constexpr std::array<std::string_view, 6> kConditional{
    "if-none-match", "if-modified-since", "if-match", "if-unmodified-since", "if-range", "range"};

template <std::size_t N>
bool in(const std::array<std::string_view, N>& set, std::string_view name) {
  for (auto s : set)
    if (iequals(s, name)) return true;
  return false;
}

/// True when `name` is listed in the Connection field(s) of `message`.
bool named_by_connection(std::string_view name, const HeaderList& message) {
  for (const auto& [n, v] : message.fields()) {
    if (!iequals(n, "connection")) continue;
    std::size_t i = 0;
    while (i <= v.size()) {
      std::size_t end = v.find(',', i);
      if (end == std::string::npos) end = v.size();
      std::string_view item = std::string_view{v}.substr(i, end - i);
      while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
      while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
      if (!item.empty() && iequals(item, name)) return true;
      i = end + 1;
    }
  }
  return false;
}

}  // namespace

bool hop_by_hop(std::string_view name, const HeaderList& message) {
  return in(kHopByHop, name) || named_by_connection(name, message);
}

HeaderList forward_request_headers(const HeaderList& client, const ForwardContext& ctx) {
  HeaderList out;
  for (const auto& [name, value] : client.fields()) {
    if (hop_by_hop(name, client) || in(kUnkeyed, name)) continue;
    if (iequals(name, "expect")) continue;  // Herald has read the whole body already
    if (ctx.cache_fill && (in(kConditional, name) || in(kMethodOverrides, name))) continue;
    if (iequals(name, "content-length") && ctx.cache_fill) continue;
    out.add(name, value);
  }
  if (!ctx.client_ip.empty()) out.add("X-Forwarded-For", ctx.client_ip);
  out.add("X-Forwarded-Proto", ctx.proto);
  if (auto host = client.first("host")) out.add("X-Forwarded-Host", std::string(*host));
  return out;
}

std::string response_head(unsigned status, std::string_view reason, const HeaderList& fields,
                          std::size_t body_size, bool keep_tag_headers, bool head_answer) {
  std::string out = "HTTP/1.1 " + std::to_string(status) + " ";
  out += reason;
  out += "\r\n";
  for (const auto& [name, value] : fields.fields()) {
    if (hop_by_hop(name, fields) || (iequals(name, "content-length") && !head_answer) ||
        iequals(name, "surrogate-control") || iequals(name, "age"))
      continue;
    if (!keep_tag_headers && (iequals(name, "surrogate-key") || iequals(name, "cache-tag")))
      continue;
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
  }
  if (status >= 200 && status != 204 && status != 304 && !head_answer)
    out += "Content-Length: " + std::to_string(body_size) + "\r\n";
  return out;
}

}  // namespace herald::proxy
