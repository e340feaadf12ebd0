// LogEvent: the text form of an event and the hand-over of its fields to a
// structured sink (see log_event.hpp).
#include "gateway/log_event.hpp"

#include <spdlog/spdlog.h>
#include <boost/json/serialize.hpp>

namespace herald::gateway {
namespace {

thread_local const LogEvent* current_event = nullptr;

bool needs_quotes(std::string_view v) noexcept {
  if (v.empty()) return false;
  for (char ch : v) {
    auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c == '"' || c == '=' || c == '\\' || c == 0x7f) return true;
  }
  return false;
}

}  // namespace

LogEvent::LogEvent(spdlog::level::level_enum level, std::string_view event,
                   std::string_view message) noexcept
    : level_(level), enabled_(spdlog::should_log(level)), event_(event), message_(message) {}

LogEvent& LogEvent::add(std::string_view key, std::string_view value) noexcept {
  if (enabled_ && count_ < max_fields) fields_[count_++] = Field{key, value};
  return *this;
}

LogEvent& LogEvent::add(std::string_view key, std::int64_t value) noexcept {
  if (enabled_ && count_ < max_fields) fields_[count_++] = Field{key, value};
  return *this;
}

std::string LogEvent::text() const {
  std::string out(message_.empty() ? event_ : message_);
  for (const Field& f : fields()) {
    out += ' ';
    out += f.key;
    out += '=';
    if (const auto* s = std::get_if<std::string_view>(&f.value)) {
      if (needs_quotes(*s)) {
        out += boost::json::serialize(boost::json::string_view(s->data(), s->size()));
      } else {
        out += *s;
      }
    } else {
      out += std::to_string(std::get<std::int64_t>(f.value));
    }
  }
  return out;
}

void LogEvent::emit() const {
  if (!enabled_) return;
  const std::string line = text();
  current_event = this;
  try {
    spdlog::default_logger_raw()->log(level_, spdlog::string_view_t(line.data(), line.size()));
  } catch (...) {
    current_event = nullptr;
    throw;
  }
  current_event = nullptr;
}

const LogEvent* LogEvent::current() noexcept {
  return current_event;
}

}  // namespace herald::gateway
