// AppRoutes: how an application shares Herald's port. The gateway hands every HTTP
// request it does not serve itself to the app's handler; nullopt means "not mine"
// (404). The gateway's own routes: /ws, /sse, /healthz, /readyz, /metrics and
// /api/{publish,broadcast,invalidate,presence/,history/,disconnect}; any other path,
// /api/products included, can be the app's.
// This is how `herald demo` serves the example inventory app and its dashboard
// from the same origin as the WebSocket endpoint.
//
// Thread: the handler is called on a gateway shard thread; it must not block (hop to
// your own executor with co_spawn(..., use_awaitable) for anything stateful).
#pragma once

#include <boost/asio/awaitable.hpp>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace herald::gateway {

struct AppRequest {
  std::string method;  ///< "GET", "POST", ...
  std::string path;    ///< decoded path without the query, e.g. "/api/products/42"
  std::map<std::string, std::string> query;    ///< decoded query parameters
  std::map<std::string, std::string> headers;  ///< lower-case names
  std::string body;
};

struct AppResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  ///< extra headers
};

using AppHandler =
    std::function<boost::asio::awaitable<std::optional<AppResponse>>(AppRequest request)>;

}  // namespace herald::gateway
