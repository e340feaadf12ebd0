// HttpProxy: Beast request -> ProxyRequest; a fresh copy held here, or a hop to the
// cache thread; one gathered write.
#include "proxy/http_proxy.hpp"

#include "proxy/core/cache_status.hpp"
#include "proxy/core/proxy_key.hpp"
#include "proxy/proxy_answers.hpp"
#include "proxy/proxy_metrics.hpp"
#include "proxy/upstream_body_stream.hpp"

#include <herald/cache/cache.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace herald::proxy {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

asio::awaitable<ProxyAnswer> handle_on(CachingProxy& proxy, ProxyRequest request) {
  co_return co_await proxy.handle(std::move(request));
}

}  // namespace

HttpProxy::HttpProxy(asio::any_io_executor cache_executor, cache::Cache& cache,
                     ProxyOptions options)
    : cache_executor_(std::move(cache_executor)),
      cache_(cache),
      proxy_(std::make_unique<CachingProxy>(cache_executor_, cache, options)),
      options_(std::move(options)) {}

asio::awaitable<void> HttpProxy::tunnel(beast::tcp_stream& stream, beast::flat_buffer& buffer,
                                        http::request<http::string_body>& request) {
  boost::system::error_code ec;
  const auto remote = stream.socket().remote_endpoint(ec);
  std::string client_ip = ec ? std::string() : remote.address().to_string();
  UpgradeTunnel t(options_, tunnels_);
  co_await t.run(stream, buffer, request, std::move(client_ip));
}

HttpProxy::~HttpProxy() = default;

asio::awaitable<bool> HttpProxy::serve(beast::tcp_stream& stream,
                                       http::request<http::string_body>& request,
                                       bool api_allowed) {
  ProxyRequest r;
  r.api_allowed = api_allowed;
  r.method = std::string(request.method_string());
  r.target = std::string(request.target());
  for (const auto& f : request) r.headers.add(std::string(f.name_string()), std::string(f.value()));
  r.body = std::move(request.body());
  r.keep_alive = request.keep_alive();
  r.plan = plan_request(r.method, r.target, r.headers, proxy_->routes());

  std::optional<ProxyAnswer> held = fresh_answer(r);
  // No fresh copy here: wait behind a request for the same URL that is already on its
  // way to the cache's thread, and take its copy (WaitingList); else lead that trip.
  WaitingList::Lead lead;
  if (!held && cacheable(r)) {
    const std::string key = *r.plan.canonical;
    auto joined = waiting_.join(key, lead);
    if (auto copy = co_await std::move(joined)) {
      held = answer_from(r, *copy, CacheStatus{.hit = true, .collapsed = true});
      if (held) ++proxy_->stats().waited;
    }
  }
  boost::system::error_code ec;
  if (!held) {
    // The peer's address is for X-Forwarded-For: asked only when going upstream.
    const auto remote = stream.socket().remote_endpoint(ec);
    if (!ec) r.client_ip = remote.address().to_string();
    std::optional<std::string> canonical = r.plan.canonical;
    // Hop to the cache thread and back (co_spawn resumes us on our own executor). The
    // operation is built outside the co_await: g++ 12 mishandles temporaries there.
    auto op =
        asio::co_spawn(cache_executor_, handle_on(*proxy_, std::move(r)), asio::use_awaitable);
    held = co_await std::move(op);
    if (held->fresh_copy && canonical) fresh_.put(*canonical, held->fresh_copy);
    lead.release(held->fresh_copy);
  }
  const ProxyAnswer& answer = *held;
  stream.expires_after(std::chrono::seconds(60));
  co_await asio::async_write(stream, answer.buffers(),
                             asio::redirect_error(asio::use_awaitable, ec));
  if (!ec && answer.stream && !answer.head_only) {
    // A body too large to store, relayed as it arrives; cut short, the connection
    // closes (the client sees an incomplete answer, not a wrong one).
    if (!co_await answer.stream->relay(stream)) co_return false;
  }
  co_return !ec && answer.keep_alive;
}

bool HttpProxy::cacheable(const ProxyRequest& r) {
  return !r.plan.bypass && r.plan.canonical && !r.plan.purge;
}

std::optional<ProxyAnswer> HttpProxy::fresh_answer(const ProxyRequest& r) {
  if (!cacheable(r)) return std::nullopt;
  auto copy = fresh_.find(*r.plan.canonical, cache_.generation(), wall_ms());
  if (!copy) return std::nullopt;
  return answer_from(r, *copy, CacheStatus{.hit = true});
}

std::optional<ProxyAnswer> HttpProxy::answer_from(const ProxyRequest& r, const FreshCopy& copy,
                                                  CacheStatus cs) {
  if (!copy.serves(cache_.generation(), wall_ms())) return std::nullopt;
  if (!copy.vary.empty() && variant_key(*r.plan.canonical, copy.vary, r.headers) != copy.variant)
    return std::nullopt;
  ++proxy_->stats().hits;
  if (r.plan.route) ++proxy_->route_stats(static_cast<std::size_t>(r.plan.rules.route)).hits;
  return stored_answer(r, copy.value, copy.view, cs, proxy_->stats());
}

const ProxyStats& HttpProxy::stats() const noexcept {
  return proxy_->stats();
}

void HttpProxy::stop() {
  proxy_->stop();
}

std::string HttpProxy::prometheus() const {
  return render_proxy_metrics(*proxy_, tunnels_);
}

}  // namespace herald::proxy
