// HttpEndpoint: the route of an HTTP request to Herald's own API (or the app), from a
// fixed set: the `endpoint` label of herald_http_requests_total and
// herald_http_request_duration_seconds and the `endpoint` field of the http_request
// log event. Never the request path itself (a channel in /api/history/<channel>
// would make the label unbounded).
//
// Sans-io, any thread. Cost: a few string compares.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace herald::gateway {

enum class HttpEndpoint : std::uint8_t {
  publish,
  batch,
  broadcast,
  disconnect,
  invalidate,
  presence,
  history,
  metrics,
  healthz,
  readyz,
  app,    ///< not one of Herald's routes: the app handler (herald demo) or 404
  other,  ///< one of Herald's paths answered before routing (bad target...)
};

inline constexpr std::size_t http_endpoint_count = 12;

inline constexpr std::array<std::string_view, http_endpoint_count> http_endpoint_names{
    "publish", "batch",   "broadcast", "disconnect", "invalidate", "presence",
    "history", "metrics", "healthz",   "readyz",     "app",        "other"};

constexpr std::string_view to_string(HttpEndpoint e) noexcept {
  return http_endpoint_names[static_cast<std::size_t>(e)];
}

/// The endpoint of a request `path` (query removed, route prefix already stripped);
/// `own`: HttpApi::own_path() accepted it.
constexpr HttpEndpoint http_endpoint_of(std::string_view path, bool own) noexcept {
  if (!own) return HttpEndpoint::app;
  if (path == "/api/publish") return HttpEndpoint::publish;
  if (path == "/api/batch") return HttpEndpoint::batch;
  if (path == "/api/broadcast") return HttpEndpoint::broadcast;
  if (path == "/api/disconnect") return HttpEndpoint::disconnect;
  if (path == "/api/invalidate") return HttpEndpoint::invalidate;
  if (path.starts_with("/api/presence/")) return HttpEndpoint::presence;
  if (path.starts_with("/api/history/")) return HttpEndpoint::history;
  if (path == "/metrics") return HttpEndpoint::metrics;
  if (path == "/healthz") return HttpEndpoint::healthz;
  if (path == "/readyz") return HttpEndpoint::readyz;
  return HttpEndpoint::other;
}

/// The `status` label: "1xx" .. "5xx" as index 0..4 (anything else counts as 5xx).
inline constexpr std::array<std::string_view, 5> http_status_classes{"1xx", "2xx", "3xx", "4xx",
                                                                     "5xx"};

constexpr std::size_t http_status_class(unsigned status) noexcept {
  if (status >= 100 && status < 600) return status / 100 - 1;
  return 4;
}

}  // namespace herald::gateway
