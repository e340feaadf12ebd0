// connect_session(): see session_connect.hpp. The deadline is a timer that closes the
// socket when it fires, which aborts whichever step is pending (resolve is bounded
// by the same flag: a late resolve result is discarded).
#include "redis/session_connect.hpp"

#include <herald/redis/request.hpp>
#include <herald/redis/tls_context.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <memory>

namespace herald::redis {
namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

Request handshake_request(const ConnectionConfig& config) {
  Request req;
  const RedisUrl& url = config.url;
  if (!url.password.empty()) {
    if (url.user.empty())
      req.push("AUTH", url.password);
    else
      req.push("AUTH", url.user, url.password);
  }
  if (url.db != 0) req.push("SELECT", url.db);
  if (!config.client_name.empty()) req.push("CLIENT", "SETNAME", config.client_name);
  // Over TLS 1.3 a server that refuses our certificate says so after the handshake,
  // on the first read: one round trip here keeps that a connect failure.
  if (req.empty() && config.url.tls.enabled) req.push("PING");
  return req;
}

/// Small pipelined commands must not wait for Nagle; keep-alive finds dead peers
/// on idle connections (the request timeout covers busy ones).
void tune_tcp(RedisSocket& socket) {
  error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  socket.set_option(asio::socket_base::keep_alive(true), ignored);
}

asio::awaitable<error_code> connect_socket(RedisSocket& socket, const RedisUrl& url) {
  if (url.transport == RedisUrl::Transport::unix_socket) {
    asio::local::stream_protocol::endpoint ep{url.path};
    auto [ec] = co_await socket.async_connect(asio::generic::stream_protocol::endpoint{ep}, kTuple);
    co_return ec;
  }
  error_code parse_ec;
  auto address = asio::ip::make_address(url.host, parse_ec);
  if (!parse_ec) {  // an IP literal: no resolver round trip (and no resolver thread)
    auto [ec] = co_await socket.async_connect(
        asio::generic::stream_protocol::endpoint{tcp::endpoint{address, url.port}}, kTuple);
    if (!ec) tune_tcp(socket);
    co_return ec;
  }
  tcp::resolver resolver{socket.get_executor()};
  auto [rec, results] = co_await resolver.async_resolve(url.host, std::to_string(url.port), kTuple);
  if (rec) co_return rec;
  error_code last = asio::error::host_not_found;
  for (const auto& entry : results) {
    if (socket.is_open()) socket.close();
    auto [ec] = co_await socket.async_connect(
        asio::generic::stream_protocol::endpoint{entry.endpoint()}, kTuple);
    if (!ec) {
      tune_tcp(socket);
      co_return error_code{};
    }
    last = ec;
  }
  co_return last;
}

asio::awaitable<error_code> handshake(RedisStream& stream, RespReader& reader,
                                      const ConnectionConfig& config) {
  Request req = handshake_request(config);
  if (req.empty()) co_return error_code{};
  auto [wec, written] = co_await asio::async_write(stream, asio::buffer(req.payload()), kTuple);
  if (wec) co_return wec;
  std::size_t answered = 0;
  std::array<char, 4096> buf;
  while (answered < req.size()) {
    auto next = reader.next();
    if (!next) co_return make_error_code(Errc::protocol_error);
    if (*next) {
      if ((*next)->is_error()) co_return make_error_code(Errc::handshake_failed);
      ++answered;
      continue;
    }
    auto [rec, n] = co_await stream.async_read_some(asio::buffer(buf), kTuple);
    if (rec) co_return rec;
    if (!reader.feed(buf.data(), n)) co_return make_error_code(Errc::protocol_error);
  }
  co_return error_code{};
}

/// The peer hung up (as opposed to a timeout or a protocol error).
bool closed_by_peer(const error_code& ec) {
  return ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == asio::error::broken_pipe || ec == asio::ssl::error::stream_truncated;
}

}  // namespace

asio::awaitable<error_code> connect_session(RedisStream& stream, RespReader& reader,
                                            const ConnectionConfig& config) {
  stream.reset();
  const bool tls = config.url.tls.enabled;
  if (tls && !config.tls) co_return make_error_code(Errc::tls_setup_failed);
  // `done` guards against a deadline that fired just as we finished: its handler is
  // already queued and cancel() cannot recall it, so it must not touch the socket.
  struct DeadlineState {
    bool timed_out = false;
    bool done = false;
  };
  auto state = std::make_shared<DeadlineState>();
  asio::steady_timer deadline{stream.get_executor()};
  deadline.expires_after(config.connect_timeout);
  deadline.async_wait([&stream, state](error_code ec) {
    if (ec || state->done) return;
    state->timed_out = true;
    stream.close();
  });

  error_code ec = co_await connect_socket(stream.socket(), config.url);
  bool tls_timed_out = false;
  if (!ec && tls && !state->timed_out) {
    ec = co_await stream.start_tls(*config.tls, config.url);
    tls_timed_out = state->timed_out;
  }
  if (!ec && !state->timed_out) {
    ec = co_await handshake(stream, reader, config);
    if (tls && closed_by_peer(ec)) ec = make_error_code(Errc::tls_closed_by_server);
  }
  state->done = true;
  deadline.cancel();
  if (state->timed_out)
    co_return make_error_code(tls_timed_out ? Errc::tls_handshake_timeout : Errc::connect_timeout);
  co_return ec;
}

}  // namespace herald::redis
