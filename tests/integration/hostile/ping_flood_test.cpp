// Issue 19, item 1: a WebSocket that sends pings and never reads the pongs. Beast
// answers every ping; the pongs used to pile up in the server's output buffer without
// bound (24 MB -> 1.5 GB in 7 s, before authentication). Now the unwritten control
// frames count against the connection's output cap (64 KiB before authentication,
// max_send_queue_bytes after) and the server closes the connection past it. Memory is
// the point here: the server is `herald serve` in a child process, its RSS read from
// /proc/<pid>/status.
#include "integration/hostile/raw_client.hpp"
#include "support/herald_process.hpp"

#include <gtest/gtest.h>

namespace herald::test {
namespace {

// Floods pings on an upgraded connection without reading; the bytes sent until the
// server closed the connection (send fails), or `give_up` if it never did.
std::size_t flood_pings(RawClient& c, std::size_t give_up) {
  std::string burst;
  std::string ping = ws_frame(0x9, std::string(125, 'p'));
  while (burst.size() < 64 * 1024) burst += ping;
  std::size_t sent = 0;
  while (sent < give_up) {
    if (c.send_all(burst) != 0) return sent;
    sent += burst.size();
  }
  return sent;
}

void expect_flood_is_cut(const std::vector<std::string>& args) {
  std::vector<std::string> argv{"--log-level", "warn"};
  argv.insert(argv.end(), args.begin(), args.end());
  HeraldProcess herald(argv, HeraldProcess::Options{.ready_path = "/healthz"});
  long rss_before = rss_kib(std::to_string(herald.pid()));
  ASSERT_GT(rss_before, 0);

  RawClient c(herald.port(), 4096);
  ASSERT_EQ(c.send_all(ws_upgrade()), 0);
  ASSERT_EQ(http_status(c.read_until("\r\n\r\n")), 101u);
  // The pongs fill the server's socket buffer (tcp_wmem, up to 4 MiB) and this
  // client's small receive buffer, then the cap. 256 MiB of pings would be 260 MB of
  // pongs held by the server without the cap.
  constexpr std::size_t give_up = 256u << 20;
  std::size_t sent = flood_pings(c, give_up);
  EXPECT_LT(sent, give_up) << "the server kept reading pings without closing";

  long rss_after = rss_kib(std::to_string(herald.pid()));
  EXPECT_LT(rss_after - rss_before, 32 * 1024)
      << "RSS grew from " << rss_before << " KiB to " << rss_after << " KiB";
  // The server is fine: /healthz answers at once.
  EXPECT_TRUE(herald.alive());
  RawClient probe(herald.port(), 0, std::chrono::seconds(5));
  probe.send_all("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(http_status(probe.read_to_close()), 200u);
}

TEST(HostilePingFlood, UnauthenticatedConnectionIsClosedAtItsSmallBudget) {
  // With a JWT secret, the connection waits for its `auth` frame: the 64 KiB budget.
  expect_flood_is_cut({"--jwt-secret", "hostile-test-secret"});
}

TEST(HostilePingFlood, AuthenticatedConnectionIsClosedAtTheOutputCap) {
  // Anonymous mode: authenticated at the upgrade, max_send_queue_bytes applies.
  expect_flood_is_cut({"--max-send-queue-bytes", "262144"});
}

}  // namespace
}  // namespace herald::test
