// HttpApi: the HTTP server API of protocol.md section 2 (publish, broadcast,
// presence, history, disconnect, invalidate) plus /healthz, /readyz and /metrics.
// Runs on the shard of the HTTP connection that carries the request.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <herald/protocol/publish_body.hpp>
#include <herald/realtime/engine.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace herald::gateway {

struct ServerContext;
class Shard;

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;
using HttpResponse = boost::beast::http::response<boost::beast::http::string_body>;

/// `{"error":{"code":N,"message":"..."}}` with HTTP status N.
HttpResponse json_error(const HttpRequest& req, unsigned status, std::string_view message);
/// 200 (or `status`) with a JSON body.
HttpResponse json_response(const HttpRequest& req, std::string body, unsigned status = 200);
/// Appends the bytes Beast writes for json_response(req, body) when `req` is an HTTP/1.1
/// keep-alive request (status line, Server, Content-Type, Content-Length, body): the
/// publish answer without a fields container or a serializer. Cost: appends only.
void append_json_ok(std::string& out, std::string_view body);

class HttpApi {
 public:
  /// At most this many publications in one `POST /api/batch` (docs/protocol.md).
  static constexpr std::size_t max_batch_publications = 1000;

  HttpApi(ServerContext& ctx, Shard& shard) : ctx_(ctx), shard_(shard) {}

  /// True for the paths the gateway serves itself (/healthz, /readyz, /metrics,
  /// /api/publish, ...; /ws and /sse are the session's): the one list of them. Every
  /// other path is the app's (app_handler) or the upstream's (proxy).
  static bool owns(std::string_view path) noexcept;
  /// The path as Herald's routes know it when `path` is one of them under `prefix`
  /// (GatewayOptions::route_prefix; "" = at the root), else nullopt (the app's).
  static std::optional<std::string_view> own_path(std::string_view path,
                                                  std::string_view prefix) noexcept;
  /// Answers a request for a path that is not Herald's: the app handler, or 404.
  boost::asio::awaitable<HttpResponse> app(const HttpRequest& req);

  /// The publication of a request answered without handle(): `POST /api/publish` (that
  /// exact target), authorised (`authorization`: the request's field), under the
  /// backpressure limit, with a valid `body` (the item's data views it). For every
  /// other request nullopt, with nothing done: handle() answers it, errors included.
  /// Remembers the channel for logged_channel(). Shard thread. Cost: the body scan.
  std::optional<protocol::PublishItem> direct_publish(boost::beast::http::verb method,
                                                      std::string_view target,
                                                      std::string_view authorization,
                                                      std::string_view body, bool loopback);
  /// True when publishes complete at once (the memory engine): publish_now(), no
  /// coroutine frame. Otherwise publish_later().
  bool publishes_now() const noexcept;
  /// Publishes `item` on the memory engine and counts it. Shard thread.
  realtime::Result<realtime::StreamPosition> publish_now(const protocol::PublishItem& item);
  /// Publishes `item` on the engine (Redis: one script round trip) and counts it; never
  /// throws (an exception becomes EngineError::internal). Shard thread.
  boost::asio::awaitable<realtime::Result<realtime::StreamPosition>> publish_later(
      protocol::PublishItem item);

  /// Answers one request; never throws (errors become JSON error responses).
  /// `loopback` tells whether the client connected from a loopback address.
  boost::asio::awaitable<HttpResponse> handle(const HttpRequest& req, bool loopback);
  /// Answers a request for /metrics or /api/* whose caller is already authorised (the
  /// API key checked by handle(), or an admin console session): the one code path of
  /// every API action. Never throws.
  boost::asio::awaitable<HttpResponse> serve(const HttpRequest& req);

  /// The channel of the last request handled (publish, presence, history), for its
  /// http_request log event; empty for other requests or when debug logging is off.
  const std::string& logged_channel() const noexcept { return logged_channel_; }

 private:
  boost::asio::awaitable<HttpResponse> publish(const HttpRequest& req);
  boost::asio::awaitable<HttpResponse> batch(const HttpRequest& req);
  boost::asio::awaitable<HttpResponse> broadcast(const HttpRequest& req);
  boost::asio::awaitable<HttpResponse> presence(const HttpRequest& req, std::string_view channel);
  boost::asio::awaitable<HttpResponse> history(const HttpRequest& req, std::string_view channel);
  boost::asio::awaitable<HttpResponse> disconnect(const HttpRequest& req);
  boost::asio::awaitable<HttpResponse> invalidate(const HttpRequest& req);
  /// True while the shards' send queues hold at most the backpressure limit.
  bool has_room() const noexcept;
  /// Waits while the shards' send queues hold more than the backpressure limit (at
  /// most publish_backpressure_wait); false if they still do.
  boost::asio::awaitable<bool> wait_for_room();
  /// 503 with Retry-After for a publish refused by backpressure (counted).
  HttpResponse backlog_refusal(const HttpRequest& req);

  /// Remembers `channel` for logged_channel() when debug logging is on.
  void log_channel(std::string_view channel);

  ServerContext& ctx_;
  Shard& shard_;
  std::string logged_channel_;
};

}  // namespace herald::gateway
