// WebSocket upgrades for the app's own paths, tunnelled through `herald serve
// --upstream`: a real Beast WebSocket server as the app, a real WebSocket client in
// front of Herald. Herald's own /ws stays Herald's.
#include "integration/proxy/fetched.hpp"
#include "support/eventually.hpp"
#include "support/herald_process.hpp"

#include <gtest/gtest.h>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/websocket.hpp>

#include <atomic>
#include <mutex>
#include <thread>

namespace herald::test {
namespace {

namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

/// The app: an echo WebSocket server on /chat (one thread per connection); any other
/// upgrade is refused with 403. Remembers the last handshake's fields.
class EchoApp {
 public:
  EchoApp() : acceptor_(ioc_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    port_ = acceptor_.local_endpoint().port();
    thread_ = std::thread([this] {
      for (;;) {
        tcp::socket s(ioc_);
        boost::system::error_code ec;
        acceptor_.accept(s, ec);
        if (ec || stopping_) return;
        workers_.emplace_back([this, s = std::move(s)]() mutable { serve(std::move(s)); });
      }
    });
  }
  ~EchoApp() {
    stopping_ = true;
    boost::system::error_code ec;
    tcp::socket poke(ioc_);
    poke.connect(acceptor_.local_endpoint(), ec);  // wakes accept()
    thread_.join();
    for (auto& w : workers_) w.join();
  }
  std::uint16_t port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string header(std::string_view name) {
    std::lock_guard lock(mutex_);
    return std::string(last_[name]);
  }
  std::string target() {
    std::lock_guard lock(mutex_);
    return std::string(last_.target());
  }

 private:
  void serve(tcp::socket s) {
    try {
      beast::flat_buffer buffer;
      http::request<http::string_body> req;
      http::read(s, buffer, req);
      {
        std::lock_guard lock(mutex_);
        last_ = req;
      }
      if (req.target() != "/chat") {
        http::response<http::string_body> res{http::status::forbidden, 11};
        res.body() = "no such room";
        res.prepare_payload();
        http::write(s, res);
        return;
      }
      websocket::stream<tcp::socket> ws(std::move(s));
      ws.accept(req);
      for (;;) {
        beast::flat_buffer msg;
        ws.read(msg);
        ws.write(asio::buffer("echo: " + beast::buffers_to_string(msg.data())));
      }
    } catch (const std::exception&) {
    }
  }
  asio::io_context ioc_;
  tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
  std::vector<std::thread> workers_;
  std::mutex mutex_;
  http::request<http::string_body> last_;
};

TEST(ProxyTunnel, TheAppsWebSocketIsRelayedBothWays) {
  EchoApp app;
  HeraldProcess herald({"--log-level", "warn", "--threads", "2", "--upstream", app.url()});
  asio::io_context ioc;
  websocket::stream<tcp::socket> ws(ioc);
  ws.next_layer().connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), herald.port()));
  ws.handshake("127.0.0.1", "/chat");
  for (const std::string& text : std::vector<std::string>{"hello", std::string(100'000, 'x')}) {
    ws.write(asio::buffer(text));
    beast::flat_buffer reply;
    ws.read(reply);
    EXPECT_EQ(beast::buffers_to_string(reply.data()), "echo: " + text);
  }
  EXPECT_EQ(app.header("Upgrade"), "websocket");
  EXPECT_EQ(app.header("X-Forwarded-For"), "127.0.0.1");
  EXPECT_EQ(fetch(herald.port(), "/metrics").body.find("herald_proxy_tunnels_open 1\n") !=
                std::string::npos,
            true);
  ws.close(websocket::close_code::normal);
  EXPECT_TRUE(eventually([&] {
    return fetch(herald.port(), "/metrics").body.find("herald_proxy_tunnels_open 0\n") !=
           std::string::npos;
  }));
}

TEST(ProxyTunnel, ARefusedUpgradeGetsTheAppsAnswerAndHeraldsWsStaysHeralds) {
  EchoApp app;
  HeraldProcess herald({"--log-level", "warn", "--threads", "2", "--upstream", app.url()});
  asio::io_context ioc;
  {
    websocket::stream<tcp::socket> ws(ioc);
    ws.next_layer().connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), herald.port()));
    websocket::response_type res;
    boost::system::error_code ec;
    ws.handshake(res, "127.0.0.1", "/nowhere", ec);
    EXPECT_TRUE(ec);
    EXPECT_EQ(res.result_int(), 403u);
    EXPECT_EQ(res.body(), "no such room");
  }
  {
    websocket::stream<tcp::socket> ws(ioc);
    ws.next_layer().connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), herald.port()));
    ws.handshake("127.0.0.1", "/ws");     // Herald's own real-time endpoint
    EXPECT_EQ(app.target(), "/nowhere");  // the app never saw it
  }
  // An app that is down: 502 with a reason, no crash.
  HeraldProcess orphan(
      {"--log-level", "warn", "--threads", "2", "--upstream", "http://127.0.0.1:1"});
  websocket::stream<tcp::socket> ws(ioc);
  ws.next_layer().connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), orphan.port()));
  websocket::response_type res;
  boost::system::error_code ec;
  ws.handshake(res, "127.0.0.1", "/chat", ec);
  EXPECT_EQ(res.result_int(), 502u);
  EXPECT_NE(res.body().find("upstream unreachable"), std::string::npos) << res.body();
}

}  // namespace
}  // namespace herald::test
