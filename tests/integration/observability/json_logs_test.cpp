// `--log-format json` on the real binary (`herald serve`, `herald demo`): a
// connect / subscribe / publish / disconnect and API calls, then every captured
// stderr line must parse as one JSON object, and the lifecycle and API events must
// carry their structured fields (docs/operations.md "Logs").
#include "support/eventually.hpp"
#include "support/herald_process.hpp"
#include "support/test_clients.hpp"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <functional>
#include <vector>

namespace herald::test {
namespace {

namespace json = boost::json;

/// Every line of `log` as a JSON object; a line that is not one fails the test.
std::vector<json::object> parse_lines(const std::string& log) {
  std::vector<json::object> out;
  std::size_t start = 0;
  while (start < log.size()) {
    std::size_t nl = log.find('\n', start);
    if (nl == std::string::npos) break;  // a line still being written
    const std::string line = log.substr(start, nl - start);
    start = nl + 1;
    boost::system::error_code ec;
    json::value v = json::parse(line, ec);
    EXPECT_FALSE(ec) << "not JSON: " << line;
    if (ec) continue;
    EXPECT_TRUE(v.is_object()) << line;
    if (v.is_object()) out.push_back(v.as_object());
  }
  return out;
}

const json::object* find_event(const std::vector<json::object>& lines, std::string_view event,
                               const std::function<bool(const json::object&)>& match = {}) {
  for (const auto& l : lines) {
    const auto* e = l.if_contains("event");
    if (e != nullptr && e->is_string() && e->as_string() == event && (!match || match(l)))
      return &l;
  }
  return nullptr;
}

std::string str(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

/// A find_event() match: an http_request line of `endpoint`.
std::function<bool(const json::object&)> endpoint_is(std::string endpoint) {
  return [endpoint = std::move(endpoint)](const json::object& l) {
    return str(l, "endpoint") == endpoint;
  };
}

/// Waits until `herald` logged an `event` line (one that `match` accepts), then returns
/// every line logged so far; none (and a test failure) when it never came.
std::vector<json::object> lines_once_logged(
    const HeraldProcess& herald, std::string_view event,
    const std::function<bool(const json::object&)>& match = {}) {
  std::vector<json::object> lines;
  if (!eventually([&] {
        lines = parse_lines(herald.log());
        return find_event(lines, event, match) != nullptr;
      })) {
    ADD_FAILURE() << "no " << event << " line in the log:\n" << herald.log();
    lines.clear();
  }
  return lines;
}

/// The connection_open and connection_close lines of the one connection over
/// `transport`, which the client closed: same conn, a loopback remote, reason client.
void expect_connection_lines(const std::vector<json::object>& lines, std::string_view transport) {
  const auto* open = find_event(lines, "connection_open");
  ASSERT_NE(open, nullptr);
  EXPECT_EQ(str(*open, "transport"), transport);
  EXPECT_TRUE(str(*open, "remote").starts_with("127.0.0.1:")) << json::serialize(*open);
  const auto* close = find_event(lines, "connection_close");
  ASSERT_NE(close, nullptr);
  EXPECT_EQ(str(*close, "transport"), transport);
  EXPECT_EQ(str(*close, "conn"), str(*open, "conn"));
  EXPECT_EQ(str(*close, "reason"), "client");
}

TEST(JsonLogs, ServeLogsLifecycleAndApiEventsAsJsonLines) {
  HeraldProcess herald({"--log-format", "json", "--log-level", "debug", "--threads", "2"});
  const std::uint16_t port = herald.port();
  std::string conn;
  {
    WsClient c(port);
    ASSERT_TRUE(c.connected());
    auto welcome = c.next_json();
    conn = std::string(welcome.at("client").as_string());
    c.send(R"({"type":"subscribe","channel":"news \"quoted\"","id":1})");
    ASSERT_EQ(c.next_json().at("type").as_string(), "error");  // invalid name: refused
    c.send(R"({"type":"subscribe","channel":"news","id":2})");
    ASSERT_EQ(c.next_json().at("type").as_string(), "reply");
    ASSERT_EQ(http_publish(port, "news", R"({"n":1})").status, 200u);
    ASSERT_EQ(c.next_json().at("type").as_string(), "message");
  }  // the client drops its socket
  EXPECT_EQ(http_request(port, http::verb::get, "/api/history/news").status, 200u);

  ASSERT_FALSE(lines_once_logged(herald, "connection_close").empty());
  ASSERT_FALSE(lines_once_logged(herald, "http_request", endpoint_is("history")).empty());
  const std::vector<json::object> lines = parse_lines(herald.log());
  for (const auto& l : lines) {
    EXPECT_TRUE(l.contains("ts")) << json::serialize(l);
    EXPECT_TRUE(l.contains("level")) << json::serialize(l);
    EXPECT_TRUE(l.contains("event") || l.contains("msg")) << json::serialize(l);
  }

  expect_connection_lines(lines, "ws");
  const auto* open = find_event(lines, "connection_open");
  ASSERT_NE(open, nullptr);
  EXPECT_EQ(str(*open, "conn"), conn);
  EXPECT_EQ(str(*open, "level"), "debug");

  const auto* refused = find_event(lines, "subscribe_refused");
  ASSERT_NE(refused, nullptr);
  EXPECT_EQ(str(*refused, "channel"), "news \"quoted\"");  // escaped, read back intact
  EXPECT_EQ(str(*refused, "reason"), "invalid channel name");
  EXPECT_EQ(refused->at("code").as_int64(), 400);

  const auto* sub = find_event(lines, "subscribe");
  ASSERT_NE(sub, nullptr);
  EXPECT_EQ(str(*sub, "conn"), conn);
  EXPECT_EQ(str(*sub, "channel"), "news");
  EXPECT_TRUE(sub->contains("user"));

  const auto* publish = find_event(lines, "http_request", endpoint_is("publish"));
  ASSERT_NE(publish, nullptr);
  EXPECT_EQ(str(*publish, "method"), "POST");
  EXPECT_EQ(publish->at("status").as_int64(), 200);
  EXPECT_GE(publish->at("duration_ms").as_int64(), 0);
  EXPECT_EQ(str(*publish, "channel"), "news");
  EXPECT_EQ(str(*publish, "auth"), "none");

  const auto* history = find_event(lines, "http_request", endpoint_is("history"));
  ASSERT_NE(history, nullptr);
  EXPECT_EQ(str(*history, "channel"), "news");
  EXPECT_EQ(str(*history, "path"), "/api/history/news");

  const auto* close = find_event(lines, "connection_close");
  ASSERT_NE(close, nullptr);
  EXPECT_TRUE(close->contains("code"));
  EXPECT_GE(close->at("duration_ms").as_int64(), 0);

  // The unsubscribe that the close implies.
  EXPECT_NE(find_event(lines, "unsubscribe"), nullptr);
  // Lines that are not events (start-up) are JSON too, with their text as msg.
  EXPECT_NE(std::find_if(lines.begin(), lines.end(),
                         [](const json::object& l) {
                           return str(l, "msg").starts_with("herald listening on");
                         }),
            lines.end());
}

TEST(JsonLogs, AuthDisconnectIsAnEventWithItsReason) {
  HeraldProcess herald({"--log-format", "json", "--log-level", "info", "--jwt-secret", "obs-secret",
                        "--threads", "1"});
  WsClient c(herald.port());
  ASSERT_TRUE(c.connected());
  c.send(R"({"type":"auth","token":"not-a-jwt","id":1})");
  EXPECT_EQ(c.wait_closed(), 4001);
  const auto lines = lines_once_logged(herald, "auth_failed");
  const auto* e = find_event(lines, "auth_failed");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(str(*e, "transport"), "ws");
  EXPECT_FALSE(str(*e, "conn").empty());
  EXPECT_EQ(str(*e, "level"), "info");
  // info: the per-connection debug events stay out.
  EXPECT_EQ(find_event(lines, "connection_open"), nullptr);
  // The same close in the metrics: reason auth, once.
  const std::string metric = R"(herald_disconnects_total{reason="auth"} 1)";
  EXPECT_TRUE(eventually([&] {
    return herald.get("/metrics").second.find(metric + "\n") != std::string::npos;
  })) << herald.get("/metrics").second;
}

TEST(JsonLogs, SseStreamOpensAndClosesWithItsFields) {
  HeraldProcess herald({"--log-format", "json", "--log-level", "debug", "--threads", "1"});
  {
    SseClient sse(herald.port(), "/sse?channel=feed");
    ASSERT_NE(sse.read_until("event: subscribe").find("event: subscribe"), std::string::npos);
  }  // the client goes away
  const auto lines = lines_once_logged(herald, "connection_close");
  expect_connection_lines(lines, "sse");
  const auto* sub = find_event(lines, "subscribe");
  ASSERT_NE(sub, nullptr);
  EXPECT_EQ(str(*sub, "channel"), "feed");
}

TEST(JsonLogs, SocketIoConnectionIsLoggedUnderItsTransport) {
  HeraldProcess herald({"--log-format", "json", "--log-level", "debug", "--threads", "1"});
  {
    WsClient c(herald.port(), "/socket.io/?EIO=4&transport=websocket");
    ASSERT_TRUE(c.connected());
    ASSERT_TRUE(c.next().value_or("").starts_with("0{"));  // Engine.IO open
  }
  expect_connection_lines(lines_once_logged(herald, "connection_close"), "socketio");
}

TEST(JsonLogs, DemoLogsItsApiCallsAsJsonLines) {
  if (!HERALD_TEST_DEMO) GTEST_SKIP() << "herald built without the examples (no `herald demo`)";
  HeraldProcess herald(
      {"--db", "demo.db", "--log-format", "json", "--log-level", "debug", "--threads", "1"},
      HeraldProcess::Options{.command = "demo"});
  const auto [status, body] = herald.get("/api/products?limit=1");
  EXPECT_EQ(status, 200u) << body;
  const auto lines = lines_once_logged(herald, "http_request", endpoint_is("app"));
  const auto* e = find_event(lines, "http_request", endpoint_is("app"));
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(str(*e, "path"), "/api/products");
  EXPECT_EQ(e->at("status").as_int64(), 200);
}

TEST(TextLogs, StayTextWithTheEventFields) {
  HeraldProcess herald({"--log-level", "debug", "--threads", "1"});
  EXPECT_EQ(http_publish(herald.port(), "plain", R"({"n":1})").status, 200u);
  ASSERT_TRUE(eventually([&] { return herald.log().find("http_request ") != std::string::npos; }))
      << herald.log();
  const std::string log = herald.log();
  EXPECT_EQ(log.find("{\"ts\""), std::string::npos) << log;
  EXPECT_NE(log.find("herald listening on"), std::string::npos);
  EXPECT_NE(log.find("http_request method=POST endpoint=publish"), std::string::npos) << log;
  EXPECT_NE(log.find("channel=plain"), std::string::npos) << log;
}

}  // namespace
}  // namespace herald::test
