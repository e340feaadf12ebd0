// AdminConsole: the admin console's HTTP side, /admin/... (docs/operations.md "Admin
// console"): the page and its files, login / logout / session, and the actions
// (publish, history, presence, disconnect, invalidate), each handed to HttpApi::serve
// (the HTTP API's own code) and logged with the admin who ran it. Every request must
// pass the same-origin rule (403), every answer carries no-store and the page's
// framing and content-security headers. Runs on the shard of the HTTP connection,
// one per connection like HttpApi.
#pragma once

#include "gateway/http_api.hpp"

#include <boost/asio/awaitable.hpp>

#include <string_view>

namespace herald::gateway {

struct ServerContext;
class Shard;

class AdminConsole {
 public:
  AdminConsole(ServerContext& ctx, HttpApi& api) : ctx_(ctx), api_(api) {}

  /// True for `/admin` and `/admin/...` (the console's, when it is on).
  static bool owns(std::string_view path) noexcept {
    return path == "/admin" || path.starts_with("/admin/");
  }
  /// Answers one /admin request; `client` is the peer's address (login throttle).
  /// Never throws.
  boost::asio::awaitable<HttpResponse> handle(const HttpRequest& req, std::string_view client);

 private:
  boost::asio::awaitable<HttpResponse> route(const HttpRequest& req, std::string_view path,
                                             std::string_view client);
  HttpResponse login(const HttpRequest& req, std::string_view client);
  boost::asio::awaitable<HttpResponse> action(const HttpRequest& req, std::string_view admin,
                                              std::string_view api_path);

  ServerContext& ctx_;
  HttpApi& api_;
};

}  // namespace herald::gateway
