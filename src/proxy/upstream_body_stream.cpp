// UpstreamBodyStream: adopt the socket, write what was read, then piece by piece.
#include "proxy/upstream_body_stream.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/read.hpp>

#include <unistd.h>

#include <array>
#include <cstdio>
#include <utility>

namespace herald::proxy {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;

UpstreamBodyStream::UpstreamBodyStream(tcp::socket& socket, std::unique_ptr<Parser> parser,
                                       beast::flat_buffer buffer, std::string read,
                                       std::chrono::milliseconds body_timeout)
    : parser_(std::move(parser)),
      buffer_(std::move(buffer)),
      read_(std::move(read)),
      body_timeout_(body_timeout) {
  boost::system::error_code ec;
  const auto local = socket.local_endpoint(ec);
  if (!ec) protocol_ = local.protocol();
  fd_ = socket.release(ec);
  if (ec) fd_ = -1;
}

UpstreamBodyStream::~UpstreamBodyStream() {
  if (fd_ >= 0) ::close(fd_);  // never relayed
}

asio::awaitable<bool> UpstreamBodyStream::relay(beast::tcp_stream& client) {
  if (fd_ < 0) co_return false;
  boost::system::error_code ec;
  const auto ex = co_await asio::this_coro::executor;
  tcp::socket adopted(ex);
  const int fd = std::exchange(fd_, -1);
  adopted.assign(protocol_, fd, ec);
  if (ec) {
    ::close(fd);
    co_return false;
  }
  beast::tcp_stream upstream(std::move(adopted));
  const bool chunked = !parser_->content_length();

  auto send = [&](const char* data, std::size_t n) -> asio::awaitable<void> {
    if (n == 0) co_return;
    client.expires_after(body_timeout_);
    if (chunked) {
      char size[24];
      const int len = std::snprintf(size, sizeof size, "%zx\r\n", n);
      const std::array<asio::const_buffer, 3> pieces{
          asio::buffer(size, static_cast<std::size_t>(len)), asio::buffer(data, n),
          asio::buffer("\r\n", 2)};
      co_await asio::async_write(client, pieces, asio::redirect_error(asio::use_awaitable, ec));
    } else {
      co_await asio::async_write(client, asio::buffer(data, n),
                                 asio::redirect_error(asio::use_awaitable, ec));
    }
  };

  co_await send(read_.data(), read_.size());
  read_.clear();
  std::array<char, 65536> piece;
  while (!ec && !parser_->is_done()) {
    parser_->get().body().data = piece.data();
    parser_->get().body().size = piece.size();
    upstream.expires_after(body_timeout_);
    boost::system::error_code rec;
    co_await http::async_read_some(upstream, buffer_, *parser_,
                                   asio::redirect_error(asio::use_awaitable, rec));
    if (rec == http::error::need_buffer) rec = {};
    const std::size_t n = piece.size() - parser_->get().body().size;
    co_await send(piece.data(), n);
    if (rec) co_return false;  // truncated or stalled: the client sees it end short
  }
  if (ec) co_return false;
  if (chunked) {
    client.expires_after(body_timeout_);
    co_await asio::async_write(client, asio::buffer("0\r\n\r\n", 5),
                               asio::redirect_error(asio::use_awaitable, ec));
  }
  co_return !ec;
}

}  // namespace herald::proxy
