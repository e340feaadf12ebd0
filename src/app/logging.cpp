// Logging set-up: one stderr sink. Text: "<time> <level> <message>", where a
// gateway::LogEvent's message is its text form ("event key=value ..."). JSON: one
// object per line, built and escaped by Boost.JSON, with the fields of the LogEvent
// being logged (gateway::LogEvent::current()) as its members; plain lines carry
// their text as "msg". Members: docs/operations.md ("Logs").
#include "app/logging.hpp"

#include "gateway/log_event.hpp"

#include <spdlog/formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <variant>

namespace herald::app {
namespace {

namespace json = boost::json;

/// `2026-01-31T12:00:00.123456Z`.
std::string iso_utc(std::chrono::system_clock::time_point t) {
  const auto since = t.time_since_epoch();
  const auto secs = std::chrono::duration_cast<std::chrono::seconds>(since);
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(since - secs).count();
  const std::time_t tt = static_cast<std::time_t>(secs.count());
  std::tm tm{};
  ::gmtime_r(&tt, &tm);
  char buf[128];  // room for any int the fields could hold (-Wformat-truncation)
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(micros));
  return buf;
}

json::string_view view(std::string_view s) {
  return {s.data(), s.size()};
}

// One JSON object per line. Thread: the logging thread (synchronous sink), which is
// also the one whose LogEvent::current() is set.
class JsonLineFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    json::object line;
    line["ts"] = iso_utc(msg.time);
    const auto level = spdlog::level::to_string_view(msg.level);
    line["level"] = view({level.data(), level.size()});
    line["thread"] = static_cast<std::uint64_t>(msg.thread_id);
    if (const gateway::LogEvent* e = gateway::LogEvent::current()) {
      line["event"] = view(e->event());
      if (!e->message().empty()) line["msg"] = view(e->message());
      for (const gateway::LogEvent::Field& f : e->fields()) {
        if (const auto* s = std::get_if<std::string_view>(&f.value)) {
          line[view(f.key)] = view(*s);
        } else {
          line[view(f.key)] = std::get<std::int64_t>(f.value);
        }
      }
    } else {
      line["msg"] = view({msg.payload.data(), msg.payload.size()});
    }
    const std::string text = json::serialize(line);
    dest.append(text.data(), text.data() + text.size());
    dest.push_back('\n');
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonLineFormatter>();
  }
};

}  // namespace

void configure_logging(const std::string& format, const std::string& level) {
  auto logger = spdlog::stderr_logger_mt("herald");
  if (format == "json") {
    logger->set_formatter(std::make_unique<JsonLineFormatter>());
  } else {
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%f %^%l%$ %v", spdlog::pattern_time_type::utc);
  }
  logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(logger);
}

}  // namespace herald::app
