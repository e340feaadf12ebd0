// EngineError: why an engine operation failed. Boundaries map each value to a wire
// code (protocol.md section 1: 404 / 503 / 500).
#pragma once

#include <boost/system/error_code.hpp>

#include <type_traits>

namespace herald::realtime {

enum class EngineError {
  unavailable = 1,   ///< the engine's backend cannot be reached (503; Redis down)
  history_disabled,  ///< the channel keeps no history (404)
  internal,          ///< unexpected failure inside the engine (500)
};

const boost::system::error_category& engine_error_category() noexcept;
inline boost::system::error_code make_error_code(EngineError e) noexcept {
  return {static_cast<int>(e), engine_error_category()};
}

/// The protocol error code for an engine error (503, 404 or 500).
int wire_code(const boost::system::error_code& ec) noexcept;

}  // namespace herald::realtime

template <>
struct boost::system::is_error_code_enum<herald::realtime::EngineError> : std::true_type {};
