// LogEvent (text form, level gate, field cap) and the fixed label sets behind the
// metrics: DisconnectReason from close codes, HttpEndpoint from paths, status classes,
// and the disconnect / HTTP families Metrics renders from them.
#include "gateway/log_event.hpp"
#include "gateway/disconnect_reason.hpp"
#include "gateway/http_endpoint.hpp"
#include "gateway/metrics.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>

namespace herald::gateway {
namespace {

TEST(LogEvent, TextFormIsEventThenKeyValues) {
  LogEvent e(spdlog::level::critical, "connection_close");
  ASSERT_TRUE(e.enabled());
  e.add("conn", "c1").add("code", 1000).add("reason", "client").add("user", "");
  EXPECT_EQ(e.text(), "connection_close conn=c1 code=1000 reason=client user=");
}

TEST(LogEvent, MessageReplacesTheEventNameInText) {
  LogEvent e(spdlog::level::critical, "slow_consumer", "slow consumer: disconnecting with 3008");
  e.add("limit", std::size_t{42});
  EXPECT_EQ(e.text(), "slow consumer: disconnecting with 3008 limit=42");
  EXPECT_EQ(e.event(), "slow_consumer");
}

TEST(LogEvent, ValuesThatWouldBreakTheLineAreQuoted) {
  LogEvent e(spdlog::level::critical, "subscribe_refused");
  e.add("channel", "a b").add("user", "x=\"y\"\n").add("plain", "ok");
  EXPECT_EQ(e.text(), R"(subscribe_refused channel="a b" user="x=\"y\"\n" plain=ok)");
}

TEST(LogEvent, DisabledLevelTakesNoFields) {
  auto previous = spdlog::get_level();
  spdlog::set_level(spdlog::level::info);
  LogEvent e(spdlog::level::debug, "subscribe");
  EXPECT_FALSE(e.enabled());
  e.add("conn", "c1");
  EXPECT_TRUE(e.fields().empty());
  spdlog::set_level(previous);
}

TEST(LogEvent, FieldsPastTheCapAreDropped) {
  LogEvent e(spdlog::level::critical, "many");
  for (int i = 0; i < 20; ++i) e.add("k", i);
  EXPECT_EQ(e.fields().size(), LogEvent::max_fields);
}

TEST(LogEvent, CurrentIsSetOnlyWhileTheSinkFormats) {
  std::ostringstream out;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
  auto logger = std::make_shared<spdlog::logger>("log_event_test", sink);
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(logger);
  logger->set_pattern("%v");
  LogEvent e(spdlog::level::info, "http_request");
  e.add("status", 200).emit();
  EXPECT_EQ(out.str(), "http_request status=200\n");
  EXPECT_EQ(LogEvent::current(), nullptr);
  spdlog::set_default_logger(previous);
}

TEST(DisconnectReason, ClassifiesServerCloses) {
  EXPECT_EQ(classify_close(3008, "slow consumer"), DisconnectReason::slow_consumer);
  EXPECT_EQ(classify_close(4001, "token expired"), DisconnectReason::token_expired);
  EXPECT_EQ(classify_close(4001, "unauthorized"), DisconnectReason::auth);
  EXPECT_EQ(classify_close(4001, "authentication timeout"), DisconnectReason::auth);
  EXPECT_EQ(classify_close(1008, "rate limit exceeded"), DisconnectReason::rate_limit);
  EXPECT_EQ(classify_close(3001, "shutdown"), DisconnectReason::server_shutdown);
  EXPECT_EQ(classify_close(4003, "disconnected"), DisconnectReason::api_disconnect);
  EXPECT_EQ(classify_close(3010, "insufficient state"), DisconnectReason::insufficient_state);
  EXPECT_EQ(classify_close(1002, "malformed"), DisconnectReason::protocol_error);
  EXPECT_EQ(classify_close(1000, "client closed"), DisconnectReason::client);
  EXPECT_EQ(classify_close(1011, "internal error"), DisconnectReason::server_error);
  EXPECT_EQ(classify_close(4999, "?"), DisconnectReason::server_error);
  EXPECT_EQ(to_string(DisconnectReason::server_error), "server_error");
  EXPECT_EQ(to_string(DisconnectReason::client), "client");
}

TEST(HttpEndpoint, PathsMapOntoTheFixedSet) {
  EXPECT_EQ(http_endpoint_of("/api/publish", true), HttpEndpoint::publish);
  EXPECT_EQ(http_endpoint_of("/api/history/any:channel", true), HttpEndpoint::history);
  EXPECT_EQ(http_endpoint_of("/api/presence/x", true), HttpEndpoint::presence);
  EXPECT_EQ(http_endpoint_of("/metrics", true), HttpEndpoint::metrics);
  EXPECT_EQ(http_endpoint_of("/api/products/7", false), HttpEndpoint::app);
  EXPECT_EQ(http_endpoint_of("/weird", true), HttpEndpoint::other);
  EXPECT_EQ(to_string(HttpEndpoint::other), "other");
  EXPECT_EQ(http_status_classes[http_status_class(204)], "2xx");
  EXPECT_EQ(http_status_classes[http_status_class(503)], "5xx");
  EXPECT_EQ(http_status_classes[http_status_class(0)], "5xx");
  EXPECT_EQ(http_status_classes[http_status_class(999)], "5xx");
}

TEST(Metrics, RendersDisconnectsAndHttpRequests) {
  Metrics m(2);
  m.shard(0).count_disconnect(DisconnectReason::slow_consumer);
  m.shard(1).count_disconnect(DisconnectReason::slow_consumer);
  m.shard(1).observe_http(HttpEndpoint::publish, 200, std::chrono::microseconds(700));
  m.shard(0).observe_http(HttpEndpoint::publish, 429, std::chrono::seconds(3));
  const std::string text = m.render(-1);
  EXPECT_NE(text.find("herald_disconnects_total{reason=\"slow_consumer\"} 2\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("herald_disconnects_total{reason=\"client\"} 0\n"), std::string::npos);
  EXPECT_NE(text.find("herald_http_requests_total{endpoint=\"publish\",status=\"2xx\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("herald_http_requests_total{endpoint=\"publish\",status=\"4xx\"} 1\n"),
            std::string::npos);
  EXPECT_EQ(text.find("herald_http_requests_total{endpoint=\"batch\",status=\"4xx\"}"),
            std::string::npos);  // a class never seen is left out (2xx always shown)
  EXPECT_NE(text.find("herald_http_request_duration_seconds_bucket{endpoint=\"publish\",le="
                      "\"0.001\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("herald_http_request_duration_seconds_bucket{endpoint=\"publish\",le="
                      "\"+Inf\"} 2\n"),
            std::string::npos);
  EXPECT_NE(text.find("herald_http_request_duration_seconds_count{endpoint=\"publish\"} 2\n"),
            std::string::npos);
}

}  // namespace
}  // namespace herald::gateway
