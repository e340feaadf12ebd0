// configure_logging(): the process-wide spdlog logger for `herald serve`: text or
// JSON lines on stderr, at the configured level. Per-message events are logged at
// debug, so info stays quiet under load.
#pragma once

#include <string>

namespace herald::app {

/// `format`: "text" | "json"; `level`: trace | debug | info | warn | error. Call once,
/// before any thread logs.
void configure_logging(const std::string& format, const std::string& level);

}  // namespace herald::app
