// UpstreamPool: Beast client over a bounded set of idle keep-alive connections.
#include "proxy/upstream_pool.hpp"

#include "proxy/upstream_body_stream.hpp"

#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

namespace herald::proxy {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::awaitable;
using asio::ip::tcp;

struct UpstreamPool::Impl {
  asio::any_io_executor ex;
  ProxyOptions options;
  std::vector<std::unique_ptr<beast::tcp_stream>> idle;
  std::size_t opened = 0;
};

namespace {

constexpr auto kEc = [](boost::system::error_code& ec) {
  return asio::redirect_error(asio::use_awaitable, ec);
};

UpstreamResult failed(UpstreamFailure f, std::string detail) {
  UpstreamResult r;
  r.failure = f;
  r.detail = std::move(detail);
  return r;
}

bool idempotent(std::string_view method) {
  return method == "GET" || method == "HEAD" || method == "OPTIONS";
}

/// The connection ended before any byte of an answer: worth one retry on a fresh
/// connection when it was a reused one (the upstream closed it while idle).
bool closed_early(const boost::system::error_code& ec) {
  return ec == http::error::end_of_stream || ec == asio::error::eof ||
         ec == asio::error::connection_reset || ec == asio::error::broken_pipe;
}

awaitable<std::unique_ptr<beast::tcp_stream>> connect(UpstreamPool::Impl& p,
                                                      boost::system::error_code& ec) {
  tcp::resolver resolver{p.ex};
  auto endpoints = co_await resolver.async_resolve(
      p.options.upstream_host, std::to_string(p.options.upstream_port), kEc(ec));
  if (ec) co_return nullptr;
  auto s = std::make_unique<beast::tcp_stream>(p.ex);
  s->expires_after(p.options.connect_timeout);
  co_await s->async_connect(endpoints, kEc(ec));
  if (ec) co_return nullptr;
  s->socket().set_option(tcp::no_delay(true), ec);
  ec = {};
  ++p.opened;
  co_return s;
}

}  // namespace

UpstreamPool::UpstreamPool(asio::any_io_executor ex, ProxyOptions options)
    : impl_(std::make_shared<Impl>()) {
  impl_->ex = std::move(ex);
  impl_->options = std::move(options);
}

UpstreamPool::~UpstreamPool() = default;

std::size_t UpstreamPool::idle() const noexcept {
  return impl_->idle.size();
}

std::size_t UpstreamPool::opened() const noexcept {
  return impl_->opened;
}

awaitable<UpstreamResult> UpstreamPool::fetch(const UpstreamRequest& request) {
  auto impl = impl_;  // alive while this runs
  Impl& p = *impl;
  const auto verb = http::string_to_verb(request.method);
  if (verb == http::verb::unknown)
    co_return failed(UpstreamFailure::malformed, "unsupported method");
  const bool head = verb == http::verb::head;

  for (int attempt = 0; attempt < 2; ++attempt) {
    boost::system::error_code ec;
    std::unique_ptr<beast::tcp_stream> s;
    bool reused = false;
    while (!p.idle.empty() && !s) {
      s = std::move(p.idle.back());
      p.idle.pop_back();
      // Bytes waiting on an idle connection are an answer nobody asked for: drop it.
      if (s->socket().available(ec) > 0 || ec) {
        s.reset();
        ec = {};
      }
      reused = s != nullptr;
    }
    if (!s) {
      s = co_await connect(p, ec);
      if (!s) {
        if (ec == beast::error::timeout)
          co_return failed(UpstreamFailure::timeout, "upstream connect timed out");
        co_return failed(UpstreamFailure::unreachable, "upstream unreachable: " + ec.message());
      }
    }

    http::request<http::string_body> req{verb, request.target, 11};
    for (const auto& [name, value] : request.headers.fields()) req.insert(name, value);
    req.body() = request.body;
    if (!request.body.empty() || verb == http::verb::post || verb == http::verb::put ||
        verb == http::verb::patch)
      req.prepare_payload();
    req.keep_alive(true);

    s->expires_after(p.options.header_timeout);
    co_await http::async_write(*s, req, kEc(ec));
    if (ec) {
      if (reused && attempt == 0 && idempotent(request.method)) continue;
      if (ec == beast::error::timeout)
        co_return failed(UpstreamFailure::timeout, "upstream did not take the request in time");
      co_return failed(UpstreamFailure::unreachable, "upstream write failed: " + ec.message());
    }

    beast::flat_buffer buffer;
    auto parser = std::make_unique<UpstreamBodyStream::Parser>();
    // Interim 1xx answers (100 Continue, 103 Early Hints) precede the real one.
    for (int interim = 0; interim < 4; ++interim) {
      parser = std::make_unique<UpstreamBodyStream::Parser>();
      parser->body_limit(boost::none);  // bodies past max_object_bytes are streamed
      parser->header_limit(64 * 1024);
      if (head) parser->skip(true);
      co_await http::async_read_header(*s, buffer, *parser, kEc(ec));
      if (ec) break;
      const unsigned st = parser->get().result_int();
      if (st < 100 || st >= 200 || st == 101) break;
    }
    if (ec) {
      if (reused && attempt == 0 && idempotent(request.method) && buffer.size() == 0 &&
          closed_early(ec))
        continue;
      if (ec == beast::error::timeout)
        co_return failed(UpstreamFailure::timeout, "upstream sent no complete header in time");
      if (closed_early(ec) && buffer.size() == 0)
        co_return failed(UpstreamFailure::unreachable, "upstream closed the connection");
      co_return failed(UpstreamFailure::malformed, "malformed upstream header: " + ec.message());
    }
    const unsigned status = parser->get().result_int();
    if (status < 200 && status != 101)
      co_return failed(UpstreamFailure::malformed, "too many interim answers");
    if (status == 101)
      co_return failed(UpstreamFailure::malformed, "upstream switched protocols unasked");
    // The body, buffered up to the largest storable size; past that it is streamed.
    std::string body;
    bool streamed = false;
    if (const auto length = parser->content_length();
        !head && length && *length > p.options.max_object_bytes)
      streamed = true;  // announced too large: stream from the first byte
    std::array<char, 16384> piece;
    while (!streamed && !parser->is_done()) {
      parser->get().body().data = piece.data();
      parser->get().body().size = piece.size();
      s->expires_after(p.options.body_timeout);
      co_await http::async_read_some(*s, buffer, *parser, kEc(ec));
      if (ec == http::error::need_buffer) ec = {};
      body.append(piece.data(), piece.size() - parser->get().body().size);
      if (ec) {
        if (ec == beast::error::timeout)
          co_return failed(UpstreamFailure::timeout, "upstream body timed out");
        if (ec == http::error::partial_message || closed_early(ec))
          co_return failed(UpstreamFailure::malformed, "upstream body truncated");
        co_return failed(UpstreamFailure::malformed, "malformed upstream body: " + ec.message());
      }
      if (body.size() > p.options.max_object_bytes && !parser->is_done()) streamed = true;
    }

    auto& msg = parser->get();
    UpstreamResult out;
    out.response.emplace();
    UpstreamResponse& r = *out.response;
    r.status = status;
    r.reason = std::string(msg.reason());
    for (const auto& f : msg) r.headers.add(std::string(f.name_string()), std::string(f.value()));
    r.keep_alive = msg.keep_alive();
    s->expires_never();
    if (streamed) {
      // The rest goes straight to the client; this connection is the stream's now.
      r.keep_alive = false;
      out.stream =
          std::make_shared<UpstreamBodyStream>(s->socket(), std::move(parser), std::move(buffer),
                                               std::move(body), p.options.body_timeout);
      co_return out;
    }
    r.body = std::move(body);
    // Reuse only a connection whose answer ended cleanly where its framing said.
    if (r.keep_alive && buffer.size() == 0 && p.idle.size() < p.options.max_idle_connections)
      p.idle.push_back(std::move(s));
    co_return out;
  }
  co_return failed(UpstreamFailure::unreachable, "upstream closed the connection");
}

}  // namespace herald::proxy
