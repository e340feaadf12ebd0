// Test clients for the tests that talk to a gateway (in process or a herald child
// process: gateway, hostile, observability, proxy), over real loopback sockets:
//   TestServer     - a gateway::Server on an ephemeral port, started in-process;
//   WsClient       - an async Beast WebSocket client on its own io_context thread; frames
//                    arrive in a queue the test pops with a timeout (next());
//   http_request() - one blocking HTTP/1.1 request (support/http_request.hpp);
//   SseClient      - a raw HTTP stream reader for /sse.
// Header-only, for test binaries that link herald_gateway (TestServer needs it).
#pragma once

#include <herald/gateway/server.hpp>

#include "support/http_request.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <cctype>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace herald::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using namespace std::chrono_literals;

/// A gateway on 127.0.0.1:<ephemeral> with test-friendly defaults (2 shards).
class TestServer {
 public:
  explicit TestServer(gateway::GatewayOptions o = {}) {
    o.listen_host = "127.0.0.1";
    o.listen_port = 0;
    if (o.threads == 0) o.threads = 2;
    server_ = std::make_unique<gateway::Server>(std::move(o));
    server_->start();
  }
  std::uint16_t port() const { return server_->port(); }
  gateway::Server& server() { return *server_; }

 private:
  std::unique_ptr<gateway::Server> server_;
};

inline HttpResult http_publish(std::uint16_t port, const std::string& channel,
                               const std::string& data_json,
                               std::map<std::string, std::string> headers = {}) {
  return http_request(port, http::verb::post, "/api/publish",
                      R"({"channel":")" + channel + R"(","data":)" + data_json + "}",
                      std::move(headers));
}

/// A WebSocket client whose I/O runs on its own thread.
class WsClient {
 public:
  /// Connects and performs the handshake; `status` receives the HTTP status when the
  /// server refuses the upgrade (then connected() is false).
  explicit WsClient(std::uint16_t port, std::string target = "/ws",
                    std::map<std::string, std::string> headers = {})
      : ws_(ioc_) {
    beast::get_lowest_layer(ws_).connect(
        asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    ws_.set_option(websocket::stream_base::decorator([headers](websocket::request_type& req) {
      for (auto& [k, v] : headers) req.set(k, v);
    }));
    websocket::response_type res;
    beast::error_code ec;
    ws_.handshake(res, "127.0.0.1:" + std::to_string(port), target, ec);
    status_ = res.result_int();
    if (ec) return;
    connected_ = true;
    thread_ = std::thread([this] {
      read_next();
      ioc_.run();
    });
  }
  ~WsClient() {
    asio::post(ioc_, [this] {
      beast::error_code ec;
      beast::get_lowest_layer(ws_).socket().close(ec);
    });
    if (thread_.joinable()) thread_.join();
  }

  bool connected() const { return connected_; }
  unsigned status() const { return status_; }

  void send(std::string text) {
    asio::post(ioc_, [this, t = std::move(text)]() mutable {
      outbox_.push_back(std::move(t));
      if (outbox_.size() == 1) write_next();
    });
  }

  /// The next text frame, or nullopt after `timeout` or once closed.
  std::optional<std::string> next(std::chrono::milliseconds timeout = 3000ms) {
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, timeout, [this] { return !frames_.empty() || closed_; });
    if (frames_.empty()) return std::nullopt;
    std::string f = std::move(frames_.front());
    frames_.pop_front();
    return f;
  }
  boost::json::value next_json(std::chrono::milliseconds timeout = 3000ms) {
    auto f = next(timeout);
    return f ? boost::json::parse(*f) : boost::json::value{};
  }
  /// Waits for the close; returns the close code (0 if none within timeout).
  int wait_closed(std::chrono::milliseconds timeout = 5000ms) {
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, timeout, [this] { return closed_; });
    return closed_ ? close_code_ : 0;
  }
  /// Skips frames until one with `"type"` == type (nullopt on timeout / close).
  boost::json::value next_of_type(std::string_view type,
                                  std::chrono::milliseconds timeout = 3000ms) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      auto f = next(std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now()));
      if (!f) break;
      auto v = boost::json::parse(*f);
      if (v.is_object() && v.as_object().contains("type") && v.at("type").as_string() == type)
        return v;
    }
    return {};
  }

 private:
  void read_next() {
    ws_.async_read(buffer_, [this](beast::error_code ec, std::size_t) {
      std::lock_guard lock(mutex_);
      if (ec) {
        closed_ = true;
        close_code_ = ws_.reason().code;
        cv_.notify_all();
        return;
      }
      frames_.push_back(beast::buffers_to_string(buffer_.data()));
      buffer_.consume(buffer_.size());
      cv_.notify_all();
      read_next();
    });
  }
  void write_next() {
    ws_.async_write(asio::buffer(outbox_.front()), [this](beast::error_code ec, std::size_t) {
      outbox_.pop_front();
      if (!ec && !outbox_.empty()) write_next();
    });
  }

  asio::io_context ioc_;
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  std::deque<std::string> outbox_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::string> frames_;
  bool closed_ = false;
  int close_code_ = 0;
  bool connected_ = false;
  unsigned status_ = 0;
};

/// Reads an SSE stream with blocking reads bounded by SO_RCVTIMEO.
class SseClient {
 public:
  SseClient(std::uint16_t port, const std::string& target,
            std::map<std::string, std::string> headers = {})
      : socket_(ioc_) {
    socket_.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    timeval tv{0, 200000};
    ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    std::string req = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    for (auto& [k, v] : headers) req += k + ": " + v + "\r\n";
    req += "\r\n";
    asio::write(socket_, asio::buffer(req));
  }
  /// Reads until `needle` appears in the accumulated text (or timeout); returns all.
  std::string read_until(std::string_view needle, std::chrono::milliseconds timeout = 3000ms) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (text_.find(needle) == std::string::npos && std::chrono::steady_clock::now() < deadline) {
      char buf[4096];
      ssize_t n = ::recv(socket_.native_handle(), buf, sizeof buf, 0);
      if (n == 0) break;
      if (n > 0) text_.append(buf, static_cast<std::size_t>(n));
    }
    return text_;
  }
  const std::string& text() const { return text_; }

 private:
  asio::io_context ioc_;
  asio::ip::tcp::socket socket_;
  std::string text_;
};

}  // namespace herald::test
