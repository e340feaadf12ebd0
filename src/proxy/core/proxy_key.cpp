// Proxy cache keys (contract in proxy_key.hpp).
#include "proxy/core/proxy_key.hpp"

#include <xxhash.h>

#include <algorithm>
#include <cstdio>

namespace herald::proxy {
namespace {

std::string hex128(const std::string& bytes) {
  const XXH128_hash_t h = XXH3_128bits(bytes.data(), bytes.size());
  char out[33];
  std::snprintf(out, sizeof out, "%016llx%016llx", static_cast<unsigned long long>(h.high64),
                static_cast<unsigned long long>(h.low64));
  return std::string(out, 32);
}

bool host_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '-';
}

bool port_ok(std::string_view p) {
  if (p.empty() || p.size() > 5) return false;
  return std::all_of(p.begin(), p.end(), [](char c) { return c >= '0' && c <= '9'; });
}

/// True when the parameter's name (before '=') matches one of `ignored`.
bool ignored_param(std::string_view param, const std::vector<std::string>& ignored) {
  const std::string_view name = param.substr(0, param.find('='));
  for (const auto& i : ignored) {
    if (!i.empty() && i.back() == '*') {
      if (name.starts_with(std::string_view{i}.substr(0, i.size() - 1))) return true;
    } else if (name == i) {
      return true;
    }
  }
  return false;
}

}  // namespace

bool valid_host(std::string_view host) noexcept {
  if (host.empty() || host.size() > 255) return false;
  std::string_view name = host;
  std::string_view port;
  if (host.front() == '[') {
    const auto close = host.find(']');
    if (close == std::string_view::npos || close < 3) return false;
    for (char c : host.substr(1, close - 1))
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ||
            c == ':' || c == '.'))
        return false;
    if (close + 1 == host.size()) return true;
    if (host[close + 1] != ':') return false;
    return port_ok(host.substr(close + 2));
  }
  if (auto colon = host.rfind(':'); colon != std::string_view::npos) {
    name = host.substr(0, colon);
    port = host.substr(colon + 1);
    if (!port_ok(port)) return false;
  }
  return !name.empty() && std::all_of(name.begin(), name.end(), host_char);
}

std::optional<std::string> canonical_url(std::string_view host, std::string_view target,
                                         const std::vector<std::string>& ignored) {
  if (target.empty() || target.front() != '/') return std::nullopt;
  const auto q = target.find('?');
  std::string out = lower(host);
  out += target.substr(0, q);
  if (q == std::string_view::npos) return out;
  std::string_view query = target.substr(q + 1);
  if (auto hash = query.find('#'); hash != std::string_view::npos) query = query.substr(0, hash);
  std::vector<std::string_view> params;
  std::size_t i = 0;
  while (i <= query.size()) {
    std::size_t end = query.find('&', i);
    if (end == std::string_view::npos) end = query.size();
    const std::string_view param = query.substr(i, end - i);
    if (end > i && !ignored_param(param, ignored)) params.push_back(param);
    i = end + 1;
  }
  std::stable_sort(params.begin(), params.end());
  out += '?';
  for (std::size_t k = 0; k < params.size(); ++k) {
    if (k > 0) out += '&';
    out += params[k];
  }
  return out;
}

std::string url_key(std::string_view canonical) {
  return "px:u:" + hex128(std::string(canonical));
}

std::string url_tag(std::string_view canonical) {
  return "px-url:" + hex128(std::string(canonical));
}

std::string directory_tag(std::string_view host_and_directory) {
  return "px-dir:" + hex128(std::string(host_and_directory));
}

std::vector<std::string> directory_tags(std::string_view canonical) {
  std::vector<std::string> out;
  const auto path_at = canonical.find('/');
  if (path_at == std::string_view::npos) return out;
  const std::string_view url = canonical.substr(0, canonical.find('?'));
  for (std::size_t slash = path_at; slash != std::string_view::npos;
       slash = url.find('/', slash + 1)) {
    if (out.size() == kPurgeDirectoryDepth) break;
    out.push_back(directory_tag(url.substr(0, slash + 1)));
  }
  return out;
}

std::string variant_key(std::string_view canonical, const std::vector<std::string>& vary_names,
                        const HeaderList& request) {
  std::string material(canonical);
  for (const auto& name : vary_names) {
    material += '\0';
    material += name;
    if (auto v = request.get(name)) {
      material += '=';  // present (possibly empty) differs from absent
      material += *v;
    }
  }
  return "px:v:" + hex128(material);
}

}  // namespace herald::proxy
