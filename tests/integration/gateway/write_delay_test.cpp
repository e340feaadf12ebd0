// write_delay (Centrifugo's client write_delay): a shard collects frames for that long
// before its write pass, so the frames of several publications reach a connection in
// one send(); over real sockets (ordering with a delay: ordering_recovery_test.cpp).
#include "integration/hostile/raw_client.hpp"
#include "support/test_clients.hpp"

#include <gtest/gtest.h>

#include <sys/socket.h>

#include <string>

namespace herald::test {
namespace {

std::size_t count(std::string_view text, std::string_view needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string_view::npos;
       at = text.find(needle, at + needle.size()))
    ++n;
  return n;
}

// Two publications well inside one delay: the first is not written when its publish
// is answered, and the write pass takes both, so one read of the subscriber's socket
// holds both frames (one sendmsg on loopback).
TEST(WriteDelay, PublicationsWithinTheDelayShareOneWrite) {
  gateway::GatewayOptions o;
  o.write_delay = std::chrono::milliseconds(1500);
  TestServer server(o);
  RawClient client(server.port());
  client.send_all(ws_upgrade());
  client.read_until("\"welcome\"");
  client.send_all(ws_frame(0x1, R"({"type":"subscribe","channel":"batched","id":1})"));
  client.read_until("\"reply\"");
  client.buffered().clear();
  char buf[8192];
  ASSERT_EQ(http_publish(server.port(), "batched", "1").status, 200u);
  ssize_t early = ::recv(client.fd(), buf, sizeof buf, MSG_DONTWAIT);
  EXPECT_LT(early, 0) << "written before the delay: "
                      << std::string_view(buf, early > 0 ? early : 0);
  ASSERT_EQ(http_publish(server.port(), "batched", "2").status, 200u);
  ssize_t n = ::recv(client.fd(), buf, sizeof buf, 0);
  ASSERT_GT(n, 0);
  std::string_view first(buf, static_cast<std::size_t>(n));
  EXPECT_EQ(count(first, "\"message\""), 2u) << first;
  EXPECT_LT(first.find("\"data\":1"), first.find("\"data\":2")) << first;
}

}  // namespace
}  // namespace herald::test
