// AdminConsole: /admin routes: page and files, login, session, actions via HttpApi.
#include "gateway/admin_console.hpp"

#include <herald/protocol/raw_json.hpp>
#include <herald/protocol/server_frame.hpp>

#include "gateway/admin_assets.hpp"
#include "gateway/admin_gate.hpp"
#include "gateway/log_event.hpp"
#include "gateway/server_context.hpp"

#include <spdlog/spdlog.h>
#include <boost/beast/core/string.hpp>
#include <boost/json/parse.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>
#include <cctype>
#include <utility>

namespace herald::gateway {
namespace {

namespace http = boost::beast::http;
namespace json = boost::json;
using boost::asio::awaitable;

constexpr std::string_view api_prefix = "/admin/api/";

// A Host value safe to repeat in a header (the CSP): host name or address and port.
bool plain_host(std::string_view host) {
  if (host.empty() || host.size() > 255) return false;
  return std::all_of(host.begin(), host.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' ||
           c == '[' || c == ']';
  });
}

// Headers every /admin answer carries: never cached, never framed, nothing loaded
// from elsewhere (the page's scripts and styles are its own files; its WebSocket goes
// to the same host).
void harden(const HttpRequest& req, HttpResponse& res) {
  res.set(http::field::cache_control, "no-store");
  res.set("X-Frame-Options", "DENY");
  res.set("X-Content-Type-Options", "nosniff");
  res.set("Referrer-Policy", "no-referrer");
  std::string csp =
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
      "connect-src 'self'";
  if (std::string_view host = req[http::field::host]; plain_host(host)) {
    csp += " ws://";
    csp += host;
    csp += " wss://";
    csp += host;
  }
  csp += "; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
  res.set("Content-Security-Policy", csp);
}

HttpResponse file_response(const HttpRequest& req, const AdminAsset& asset) {
  HttpResponse res{http::status::ok, req.version()};
  res.set(http::field::server, "herald");
  res.set(http::field::content_type, asset.content_type);
  res.keep_alive(req.keep_alive());
  res.body() = std::string(asset.body);
  res.prepare_payload();
  return res;
}

// `name=value` of the session cookie: HttpOnly, SameSite=Strict, for every path of
// Herald's (the console's WebSocket is /ws), Secure when the client came over TLS
// (a TLS-terminating proxy in front says so with X-Forwarded-Proto).
std::string session_cookie(const ServerContext& ctx, const HttpRequest& req, std::string_view value,
                           std::int64_t max_age) {
  std::string c(AdminSessionCodec::cookie_name);
  c += '=';
  c += value;
  c += "; Path=";
  c += ctx.options.route_prefix.empty() ? "/" : ctx.options.route_prefix + "/";
  c += "; Max-Age=" + std::to_string(max_age);
  c += "; HttpOnly; SameSite=Strict";
  if (boost::beast::iequals(req["X-Forwarded-Proto"], "https")) c += "; Secure";
  return c;
}

std::string session_json(const ServerContext& ctx, std::string_view admin,
                         std::int64_t expires_at) {
  std::string out = R"({"admin":)";
  protocol::append_json_string(out, admin);
  out += R"(,"node":)";
  protocol::append_json_string(out, ctx.node_name);
  out += R"(,"channel":)";
  protocol::append_json_string(out, ctx.admin_channel);
  out += R"(,"ws":)";
  protocol::append_json_string(out, ctx.options.route_prefix + "/ws");
  out += R"(,"engine":)";
  protocol::append_json_string(out, ctx.engine->name());
  out += R"(,"expires_at":)";
  out += std::to_string(expires_at);
  out += '}';
  return out;
}

// What an action is about, for its log event: the field (channel, user or tags) and
// its value, from the body (or path); the log sink quotes values that need it.
std::pair<std::string_view, std::string> subject_of(std::string_view action, std::string_view rest,
                                                    std::string_view body) {
  if (action == "history" || action == "presence") return {"channel", std::string(rest)};
  const std::string_view key = action == "publish"      ? "channel"
                               : action == "disconnect" ? "user"
                                                        : "tags";
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec || !v.is_object()) return {key, "-"};
  const json::value* x = v.get_object().if_contains(key);
  if (x != nullptr && x->is_string()) return {key, std::string(x->get_string())};
  if (x != nullptr && x->is_array()) {
    std::string joined;
    for (const json::value& t : x->get_array()) {
      if (!joined.empty()) joined += ',';
      if (t.is_string()) joined += t.get_string();
    }
    return {key, joined};
  }
  return {key, "-"};
}

}  // namespace

awaitable<HttpResponse> AdminConsole::handle(const HttpRequest& req, std::string_view client) {
  HttpResponse res;
  try {
    auto url = boost::urls::parse_origin_form(req.target());
    if (!url) {
      res = json_error(req, 400, "bad request target");
    } else if (!ctx_.admin->same_origin(req)) {
      res = json_error(req, 403, "cross-origin requests are refused");
    } else {
      res = co_await route(req, url->path(), client);
    }
  } catch (const std::exception& e) {
    res = json_error(req, 500, e.what());
  }
  harden(req, res);
  co_return res;
}

awaitable<HttpResponse> AdminConsole::route(const HttpRequest& req, std::string_view path,
                                            std::string_view client) {
  const auto method = req.method();
  const bool get = method == http::verb::get || method == http::verb::head;
  if (path == "/admin") {
    HttpResponse res{http::status::found, req.version()};
    res.set(http::field::server, "herald");
    res.set(http::field::location, ctx_.options.route_prefix + "/admin/");
    res.keep_alive(req.keep_alive());
    res.prepare_payload();
    co_return res;
  }
  if (!path.starts_with(api_prefix)) {  // the page and its files
    if (!get) co_return json_error(req, 405, "use GET");
    std::string_view name = path.substr(std::string_view("/admin/").size());
    if (name.empty()) name = "index.html";
    const AdminAsset* asset = find_admin_asset(name);
    if (asset == nullptr) co_return json_error(req, 404, "not found");
    co_return file_response(req, *asset);
  }
  const std::string_view call = path.substr(api_prefix.size());
  if (call == "login") {
    if (method != http::verb::post) co_return json_error(req, 405, "use POST");
    co_return login(req, client);
  }
  if (call == "logout") {
    if (method != http::verb::post) co_return json_error(req, 405, "use POST");
    HttpResponse res = json_response(req, "{}");
    res.set(http::field::set_cookie, session_cookie(ctx_, req, "", 0));
    co_return res;
  }
  auto session = ctx_.admin->session(req);
  if (!session) co_return json_error(req, 401, "log in first");
  if (call == "session") {
    if (!get) co_return json_error(req, 405, "use GET");
    co_return json_response(req, session_json(ctx_, session->admin, session->expires_at));
  }
  co_return co_await action(req, session->admin, call);
}

HttpResponse AdminConsole::login(const HttpRequest& req, std::string_view client) {
  std::string password;
  std::string token(AccessPolicy::bearer_token(req[http::field::authorization]));
  boost::system::error_code ec;
  json::value body = json::parse(req.body(), ec);
  if (!ec && body.is_object()) {
    const json::object& o = body.get_object();
    if (const json::value* p = o.if_contains("password"); p != nullptr && p->is_string())
      password = p->get_string();
    if (const json::value* t = o.if_contains("token"); t != nullptr && t->is_string())
      token = t->get_string();
  } else if (token.empty()) {
    return json_error(req, 400, "body must be a JSON object with 'password' or 'token'");
  }
  AdminGate::Login r = ctx_.admin->login(client, password, token);
  if (r.status == 429) {
    LogEvent(spdlog::level::warn, "admin_login_throttled", "admin login throttled")
        .add("client", client)
        .add("retry_after", static_cast<std::int64_t>(r.retry_after.count()))
        .emit();
    HttpResponse res = json_error(req, 429, "too many failed logins: retry later");
    res.set(http::field::retry_after, std::to_string(r.retry_after.count()));
    return res;
  }
  if (r.status == 400) return json_error(req, 400, "give 'password' or 'token'");
  if (r.status != 200) {
    LogEvent(spdlog::level::warn, "admin_login_failed", "admin login failed")
        .add("client", client)
        .emit();
    return json_error(req, 401, "wrong password or token");
  }
  LogEvent(spdlog::level::info, "admin_login", "admin login")
      .add("admin", r.admin)
      .add("client", client)
      .emit();
  HttpResponse res = json_response(req, session_json(ctx_, r.admin, r.expires_at));
  const auto ttl = std::chrono::duration_cast<std::chrono::seconds>(AdminGate::session_ttl);
  res.set(http::field::set_cookie, session_cookie(ctx_, req, r.cookie, ttl.count()));
  return res;
}

awaitable<HttpResponse> AdminConsole::action(const HttpRequest& req, std::string_view admin,
                                             std::string_view call) {
  // The console's actions are the HTTP API's routes under /admin/api/.
  std::string_view action = call.substr(0, call.find('/'));
  std::string_view rest =
      call.size() > action.size() ? call.substr(action.size() + 1) : std::string_view{};
  const bool known = action == "publish" || action == "disconnect" || action == "invalidate" ||
                     ((action == "history" || action == "presence") && !rest.empty());
  if (!known) co_return json_error(req, 404, "not found");
  HttpRequest inner = req;
  std::string_view target = req.target();
  inner.target("/api/" + std::string(target.substr(api_prefix.size())));
  HttpResponse res = co_await api_.serve(inner);
  const auto [key, subject] = subject_of(action, rest, req.body());
  LogEvent(spdlog::level::info, "admin_action", "admin action")
      .add("admin", admin)
      .add("action", action)
      .add(key, subject)
      .add("status", static_cast<std::int64_t>(res.result_int()))
      .emit();
  co_return res;
}

}  // namespace herald::gateway
