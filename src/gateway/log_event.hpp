// LogEvent: one structured log line: a level, an event name (connection_open,
// http_request, ...), an optional human message and up to max_fields key/value
// fields. The one place the fields of an event are written: the call site names
// them once, the process's sink decides the format. A text sink prints
// "<message or event> key=value ..." (values quoted as JSON strings when they hold a
// space, a quote, '=' or a control character); the JSON sink of `herald serve` /
// `herald demo` (app/logging.cpp, log_format = json) reads current() while the line
// is formatted and writes the fields as members of the line's object.
//
// Thread: any; an event lives on the stack of the thread that emits it. Contract:
// string values are views: they must outlive emit(); sinks that read current() must
// be synchronous (format inside the logging call, as spdlog's stderr sinks do).
// Cost: nothing but a level check when the level is off; otherwise one string for
// the text form plus the sink's work. No allocation before emit().
#pragma once

#include <spdlog/common.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>

namespace herald::gateway {

class LogEvent {
 public:
  using Value = std::variant<std::string_view, std::int64_t>;
  struct Field {
    std::string_view key;
    Value value;
  };
  static constexpr std::size_t max_fields = 12;

  /// `event`: a snake_case name from docs/operations.md ("Logs"); `message`: the
  /// human text (empty: the event name stands for it).
  LogEvent(spdlog::level::level_enum level, std::string_view event,
           std::string_view message = {}) noexcept;

  /// True when the default logger would write this level: fields are worth adding.
  bool enabled() const noexcept { return enabled_; }

  /// Adds a field (ignored past max_fields or when disabled). Returns *this.
  LogEvent& add(std::string_view key, std::string_view value) noexcept;
  LogEvent& add(std::string_view key, const std::string& value) noexcept {
    return add(key, std::string_view(value));
  }
  LogEvent& add(std::string_view key, const char* value) noexcept {
    return add(key, std::string_view(value));
  }
  LogEvent& add(std::string_view key, std::int64_t value) noexcept;
  LogEvent& add(std::string_view key, int value) noexcept {
    return add(key, static_cast<std::int64_t>(value));
  }
  LogEvent& add(std::string_view key, unsigned value) noexcept {
    return add(key, static_cast<std::int64_t>(value));
  }
  LogEvent& add(std::string_view key, std::size_t value) noexcept {
    return add(key, static_cast<std::int64_t>(value));
  }

  /// Writes the line through the default logger (nothing when disabled).
  void emit() const;

  std::string_view event() const noexcept { return event_; }
  std::string_view message() const noexcept { return message_; }
  std::span<const Field> fields() const noexcept { return {fields_.data(), count_}; }
  /// The text form: "<message or event> key=value ...".
  std::string text() const;

  /// The event whose line is being formatted on this thread (inside emit()), or
  /// null: how a structured sink finds the fields of the line it formats.
  static const LogEvent* current() noexcept;

 private:
  spdlog::level::level_enum level_;
  bool enabled_;
  std::string_view event_;
  std::string_view message_;
  std::size_t count_ = 0;
  std::array<Field, max_fields> fields_{};
};

}  // namespace herald::gateway
