// HttpApi: routes and handlers of the HTTP server API (protocol.md section 2).
#include "gateway/http_api.hpp"

#include <herald/protocol/publish_body.hpp>
#include <herald/protocol/raw_json.hpp>
#include <herald/protocol/server_frame.hpp>
#include <herald/realtime/memory_engine.hpp>

#include "gateway/channel_commands.hpp"
#include "gateway/server_context.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>

#include <cctype>
#include <charconv>

namespace herald::gateway {
namespace {

namespace http = boost::beast::http;
namespace json = boost::json;
using boost::asio::awaitable;

// A parsed JSON object body, or the 400 to answer.
struct Body {
  json::value value;
  std::string error;
};

Body parse_object(const HttpRequest& req) {
  Body b;
  boost::system::error_code ec;
  b.value = json::parse(req.body(), ec);
  if (ec == json::error::too_deep) {
    b.error = "JSON body nested deeper than 32 levels";
  } else if (ec) {
    b.error = "malformed JSON body";
  } else if (!b.value.is_object()) {
    b.error = "body must be a JSON object";
  }
  return b;
}

void append_error_json(std::string& out, unsigned code, std::string_view message) {
  out += R"({"error":{"code":)";
  out += std::to_string(code);
  out += R"(,"message":)";
  protocol::append_json_string(out, message);
  out += "}}";
}

std::string error_json(unsigned code, std::string_view message) {
  std::string out;
  append_error_json(out, code, message);
  return out;
}

// One element of a `results` array (broadcast, batch): the position or the error.
void append_result(std::string& out, const realtime::Result<realtime::StreamPosition>& r) {
  if (r) {
    protocol::append_position(out, *r);
  } else {
    append_error_json(out, static_cast<unsigned>(realtime::wire_code(r.error())),
                      r.error().message());
  }
}

bool parse_u64(std::string_view s, std::uint64_t& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

HttpResponse json_response(const HttpRequest& req, std::string body, unsigned status) {
  HttpResponse res{static_cast<http::status>(status), req.version()};
  res.set(http::field::server, "herald");
  res.set(http::field::content_type, "application/json");
  res.keep_alive(req.keep_alive());
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

void append_json_ok(std::string& out, std::string_view body) {
  out += "HTTP/1.1 200 OK\r\nServer: herald\r\nContent-Type: application/json\r\nContent-Length: ";
  char digits[24];
  auto [end, ec] = std::to_chars(std::begin(digits), std::end(digits), body.size());
  out.append(digits, end);
  out += "\r\n\r\n";
  out += body;
}

HttpResponse json_error(const HttpRequest& req, unsigned status, std::string_view message) {
  return json_response(req, error_json(status, message), status);
}

bool HttpApi::owns(std::string_view path) noexcept {
  return path == "/ws" || path == "/sse" || path == "/socket.io/" || path == "/healthz" ||
         path == "/readyz" || path == "/metrics" || path == "/api/publish" ||
         path == "/api/broadcast" || path == "/api/invalidate" || path == "/api/disconnect" ||
         path == "/api/batch" || path.starts_with("/api/presence/") ||
         path.starts_with("/api/history/");
}

std::optional<std::string_view> HttpApi::own_path(std::string_view path,
                                                  std::string_view prefix) noexcept {
  if (!prefix.empty()) {
    if (!path.starts_with(prefix) || path.size() == prefix.size() || path[prefix.size()] != '/')
      return std::nullopt;
    path.remove_prefix(prefix.size());
  }
  if (path == "/ws" || path == "/sse" || path == "/socket.io/" || owns(path)) return path;
  return std::nullopt;
}

void HttpApi::log_channel(std::string_view channel) {
  if (spdlog::should_log(spdlog::level::debug)) logged_channel_.assign(channel);
}

awaitable<HttpResponse> HttpApi::handle(const HttpRequest& req, bool loopback) {
  logged_channel_.clear();
  try {
    auto url = boost::urls::parse_origin_form(req.target());
    if (!url) co_return json_error(req, 400, "bad request target");
    std::string path = url->path();
    const auto method = req.method();

    bool probe = path == "/healthz" || path == "/readyz" || path == "/metrics";
    if (probe && method != http::verb::get && method != http::verb::head) {
      HttpResponse res = json_error(req, 405, "use GET or HEAD");
      res.set(http::field::allow, "GET, HEAD");
      co_return res;
    }
    if (path == "/healthz") co_return json_response(req, R"({"status":"ok"})");
    if (path == "/readyz") {
      bool ready = ctx_.engine->ready() && !ctx_.stopping.load();
      co_return json_response(req, ready ? R"({"status":"ready"})" : R"({"status":"unavailable"})",
                              ready ? 200 : 503);
    }
    if (!owns(path)) co_return co_await app(req);
    if (!ctx_.access.api_allowed(req[http::field::authorization], loopback)) {
      co_return json_error(req, 401, "missing or wrong API key");
    }
    co_return co_await serve(req);
  } catch (const std::exception& e) {
    co_return json_error(req, 500, e.what());
  }
}

awaitable<HttpResponse> HttpApi::serve(const HttpRequest& req) {
  try {
    auto url = boost::urls::parse_origin_form(req.target());
    if (!url) co_return json_error(req, 400, "bad request target");
    std::string path = url->path();
    const auto method = req.method();
    constexpr std::string_view presence_prefix = "/api/presence/";
    constexpr std::string_view history_prefix = "/api/history/";
    if (path == "/metrics") {
      std::int64_t channels =
          ctx_.memory_engine ? static_cast<std::int64_t>(ctx_.memory_engine->channel_count()) : -1;
      std::string text = ctx_.metrics.render(channels);
      if (ctx_.options.extra_metrics) text += ctx_.options.extra_metrics();
      HttpResponse res = json_response(req, std::move(text));
      res.set(http::field::content_type, "text/plain; version=0.0.4");
      co_return res;
    }
    auto require = [&](http::verb v) { return method == v; };
    if (path == "/api/publish") {
      if (!require(http::verb::post)) co_return json_error(req, 405, "use POST");
      co_return co_await publish(req);
    }
    if (path == "/api/batch") {
      if (!require(http::verb::post)) co_return json_error(req, 405, "use POST");
      co_return co_await batch(req);
    }
    if (path == "/api/broadcast") {
      if (!require(http::verb::post)) co_return json_error(req, 405, "use POST");
      co_return co_await broadcast(req);
    }
    if (path == "/api/disconnect") {
      if (!require(http::verb::post)) co_return json_error(req, 405, "use POST");
      co_return co_await disconnect(req);
    }
    if (path == "/api/invalidate") {
      if (!require(http::verb::post)) co_return json_error(req, 405, "use POST");
      co_return co_await invalidate(req);
    }
    if (path.starts_with(presence_prefix)) {
      if (!require(http::verb::get)) co_return json_error(req, 405, "use GET");
      co_return co_await presence(req, std::string_view(path).substr(presence_prefix.size()));
    }
    if (path.starts_with(history_prefix)) {
      if (!require(http::verb::get)) co_return json_error(req, 405, "use GET");
      co_return co_await history(req, std::string_view(path).substr(history_prefix.size()));
    }
    co_return json_error(req, 404, "not found");  // unreachable: `ours` covers the routes
  } catch (const std::exception& e) {
    co_return json_error(req, 500, e.what());
  }
}

std::optional<protocol::PublishItem> HttpApi::direct_publish(http::verb method,
                                                             std::string_view target,
                                                             std::string_view authorization,
                                                             std::string_view body, bool loopback) {
  if (method != http::verb::post || target != "/api/publish" || !has_room() ||
      !ctx_.access.api_allowed(authorization, loopback))
    return std::nullopt;
  protocol::PublishBody parsed = protocol::parse_publish_body(body, valid_channel_name);
  if (!parsed.ok()) return std::nullopt;  // handle() answers the 400
  logged_channel_.clear();
  log_channel(parsed.items.front().channel);
  return std::move(parsed.items.front());
}

bool HttpApi::publishes_now() const noexcept {
  return ctx_.memory_engine != nullptr;
}

realtime::Result<realtime::StreamPosition> HttpApi::publish_now(const protocol::PublishItem& item) {
  realtime::StreamPosition position =
      ctx_.memory_engine->publish_now(item.channel, item.data, item.event);
  shard_.metrics().publications.fetch_add(1, std::memory_order_relaxed);
  return position;
}

awaitable<realtime::Result<realtime::StreamPosition>> HttpApi::publish_later(
    protocol::PublishItem item) {
  try {
    realtime::Result<realtime::StreamPosition> r = co_await ctx_.engine->publish(
        std::move(item.channel), std::string(item.data), std::move(item.event));
    if (r) shard_.metrics().publications.fetch_add(1, std::memory_order_relaxed);
    co_return r;
  } catch (const std::exception& e) {
    spdlog::error("publish failed: {}", e.what());  // the channel was moved into the call
    co_return realtime::EngineError::internal;
  }
}

// The body is scanned once (no DOM); the memory engine is called directly (it never
// suspends: no coroutine frame); the backpressure wait is only entered when needed.
awaitable<HttpResponse> HttpApi::publish(const HttpRequest& req) {
  protocol::PublishBody body = protocol::parse_publish_body(req.body(), valid_channel_name);
  if (!body.ok()) co_return json_error(req, 400, body.error);
  protocol::PublishItem& item = body.items.front();
  log_channel(item.channel);
  if (!has_room() && !co_await wait_for_room()) co_return backlog_refusal(req);
  realtime::Result<realtime::StreamPosition> r = realtime::StreamPosition{};
  if (publishes_now()) {
    r = publish_now(item);
  } else {
    r = co_await publish_later(std::move(item));
  }
  if (!r) co_return json_error(req, realtime::wire_code(r.error()), r.error().message());
  co_return json_response(req, protocol::encode_position(*r));
}

// All or nothing for the body (a bad item refuses the batch before anything is
// published), then one result per publication, in order.
awaitable<HttpResponse> HttpApi::batch(const HttpRequest& req) {
  protocol::PublishBody body =
      protocol::parse_batch_body(req.body(), valid_channel_name, max_batch_publications);
  if (!body.ok()) co_return json_error(req, 400, body.error);
  if (!has_room() && !co_await wait_for_room()) co_return backlog_refusal(req);
  std::string out = R"({"results":[)";
  std::uint64_t published = 0;
  auto add = [&](const realtime::Result<realtime::StreamPosition>& r) {
    if (out.back() != '[') out += ',';
    append_result(out, r);
  };
  if (ctx_.memory_engine != nullptr) {
    for (const protocol::PublishItem& item : body.items) {
      add(ctx_.memory_engine->publish_now(item.channel, item.data, item.event));
      ++published;
    }
  } else {
    std::vector<realtime::PublishRequest> batch;
    batch.reserve(body.items.size());
    for (protocol::PublishItem& item : body.items)
      batch.push_back({std::move(item.channel), std::string(item.data), std::move(item.event)});
    auto results = co_await ctx_.engine->publish_batch(std::move(batch));
    for (const auto& r : results) {
      add(r);
      if (r) ++published;
    }
  }
  shard_.metrics().publications.fetch_add(published, std::memory_order_relaxed);
  out += "]}";
  co_return json_response(req, std::move(out));
}

awaitable<HttpResponse> HttpApi::broadcast(const HttpRequest& req) {
  Body b = parse_object(req);
  if (!b.error.empty()) co_return json_error(req, 400, b.error);
  const json::object& obj = b.value.get_object();
  const json::value* channels = obj.if_contains("channels");
  if (channels == nullptr || !channels->is_array())
    co_return json_error(req, 400, "field 'channels' must be an array");
  for (const json::value& c : channels->get_array()) {
    if (!c.is_string() || !valid_channel_name(c.get_string()))
      co_return json_error(req, 400, "invalid channel name");
  }
  const json::value* data = obj.if_contains("data");
  if (data == nullptr) co_return json_error(req, 400, "missing field 'data'");
  auto raw = protocol::find_raw_member(req.body(), "data");
  std::string data_json = raw ? std::string(*raw) : json::serialize(*data);
  if (!has_room() && !co_await wait_for_room()) co_return backlog_refusal(req);
  std::string out = R"({"results":[)";
  bool first = true;
  for (const json::value& c : channels->get_array()) {
    if (!first) out += ',';
    first = false;
    auto r = co_await ctx_.engine->publish(std::string(c.get_string()), data_json);
    if (r) shard_.metrics().publications.fetch_add(1, std::memory_order_relaxed);
    append_result(out, r);
  }
  out += "]}";
  co_return json_response(req, std::move(out));
}

// While publishes wait, the shards are asked (at most every stall_sweep_interval) to
// take the queues of readers that stopped out of the gauge: backlog that is not being
// delivered must not slow every publisher down (a handful of non-reading clients held
// each publish for the whole wait before).
bool HttpApi::has_room() const noexcept {
  return ctx_.metrics.queued_bytes() <=
         static_cast<std::int64_t>(ctx_.options.publish_backpressure_bytes);
}

HttpResponse HttpApi::backlog_refusal(const HttpRequest& req) {
  shard_.metrics().publish_refused.fetch_add(1, std::memory_order_relaxed);
  HttpResponse res = json_error(req, 503, "delivery backlog over the limit: retry later");
  res.set(http::field::retry_after, "1");
  return res;
}

awaitable<bool> HttpApi::wait_for_room() {
  auto limit = static_cast<std::int64_t>(ctx_.options.publish_backpressure_bytes);
  if (ctx_.metrics.queued_bytes() <= limit) co_return true;
  auto deadline = std::chrono::steady_clock::now() + ctx_.options.publish_backpressure_wait;
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
  while (ctx_.metrics.queued_bytes() > limit && std::chrono::steady_clock::now() < deadline) {
    if (ctx_.claim_stall_sweep(std::chrono::steady_clock::now())) {
      for (auto& shard : ctx_.shards) {
        boost::asio::post(shard->context(),
                          [s = shard.get()] { s->exclude_stalled(ServerContext::stalled_after); });
      }
    }
    timer.expires_after(std::chrono::milliseconds(1));
    boost::system::error_code ec;
    co_await timer.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
  }
  co_return ctx_.metrics.queued_bytes() <= limit;
}

awaitable<HttpResponse> HttpApi::invalidate(const HttpRequest& req) {
  if (!ctx_.options.invalidate_tags) co_return json_error(req, 501, "cache not configured");
  Body b = parse_object(req);
  if (!b.error.empty()) co_return json_error(req, 400, b.error);
  const json::value* tags = b.value.get_object().if_contains("tags");
  if (tags == nullptr || !tags->is_array())
    co_return json_error(req, 400, "field 'tags' must be an array");
  std::vector<std::string> names;
  for (const json::value& t : tags->get_array()) {
    if (!t.is_string() || t.get_string().empty())
      co_return json_error(req, 400, "tags must be non-empty strings");
    names.emplace_back(t.get_string());
  }
  auto r = co_await ctx_.options.invalidate_tags(std::move(names));
  if (!r) co_return json_error(req, 503, r.error().message());
  co_return json_response(req, R"({"keys":)" + std::to_string(*r) + "}");
}

awaitable<HttpResponse> HttpApi::app(const HttpRequest& req) {
  logged_channel_.clear();
  if (!ctx_.options.app_handler) co_return json_error(req, 404, "not found");
  auto url = boost::urls::parse_origin_form(req.target());
  AppRequest in;
  in.method = std::string(req.method_string());
  in.path = url->path();
  for (auto param : url->params()) in.query[param.key] = param.value;
  for (const auto& field : req) {
    std::string name(field.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    in.headers[std::move(name)] = std::string(field.value());
  }
  in.body = req.body();
  std::optional<AppResponse> out = co_await ctx_.options.app_handler(std::move(in));
  if (!out) co_return json_error(req, 404, "not found");
  HttpResponse res{static_cast<http::status>(out->status), req.version()};
  res.set(http::field::server, "herald");
  res.set(http::field::content_type, out->content_type);
  for (const auto& [name, value] : out->headers) res.set(name, value);
  res.keep_alive(req.keep_alive());
  res.body() = std::move(out->body);
  res.prepare_payload();
  co_return res;
}

awaitable<HttpResponse> HttpApi::presence(const HttpRequest& req, std::string_view channel) {
  log_channel(channel);
  if (!valid_channel_name(channel)) co_return json_error(req, 400, "invalid channel name");
  auto r = co_await ctx_.engine->presence_count(std::string(channel));
  if (!r) co_return json_error(req, realtime::wire_code(r.error()), r.error().message());
  co_return json_response(req, R"({"count":)" + std::to_string(*r) + "}");
}

awaitable<HttpResponse> HttpApi::history(const HttpRequest& req, std::string_view channel) {
  log_channel(channel);
  if (!valid_channel_name(channel)) co_return json_error(req, 400, "invalid channel name");
  auto url = boost::urls::parse_origin_form(req.target());
  std::optional<realtime::StreamPosition> since;
  std::uint64_t limit = protocol::HistoryFrame::default_limit;
  for (auto param : url->params()) {
    std::uint64_t n = 0;
    if (param.key == "since") {
      if (!parse_u64(param.value, n))
        co_return json_error(req, 400, "'since' must be a non-negative integer");
      if (!since) since.emplace();
      since->offset = n;
    } else if (param.key == "epoch") {
      if (!since) since.emplace();
      since->epoch = param.value;
    } else if (param.key == "limit") {
      if (!parse_u64(param.value, n))
        co_return json_error(req, 400, "'limit' must be a non-negative integer");
      limit = std::min<std::uint64_t>(n, protocol::HistoryFrame::max_limit);
    }
  }
  auto r =
      co_await ctx_.engine->history(std::string(channel), since, static_cast<std::size_t>(limit));
  if (!r) co_return json_error(req, realtime::wire_code(r.error()), r.error().message());
  co_return json_response(req, history_json(*r));
}

awaitable<HttpResponse> HttpApi::disconnect(const HttpRequest& req) {
  Body b = parse_object(req);
  if (!b.error.empty()) co_return json_error(req, 400, b.error);
  const json::value* user = b.value.get_object().if_contains("user");
  if (user == nullptr || !user->is_string())
    co_return json_error(req, 400, "field 'user' must be a string");
  std::string id(user->get_string());
  if (id.empty()) co_return json_error(req, 400, "field 'user' must not be empty");
  auto r = co_await ctx_.engine->disconnect_user(std::move(id));
  if (!r) co_return json_error(req, realtime::wire_code(r.error()), r.error().message());
  co_return json_response(req, "{}");
}

}  // namespace herald::gateway
