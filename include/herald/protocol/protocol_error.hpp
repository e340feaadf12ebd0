// ProtocolError: why a client frame was rejected by the codec (protocol.md section 1).
// Every value is answered with a wire `error` frame of code 400; the enum exists so
// tests and logs can tell the reasons apart without comparing message strings.
#pragma once

#include <boost/system/error_code.hpp>

#include <type_traits>

namespace herald::protocol {

enum class ProtocolError {
  malformed_json = 1,  ///< the frame is not valid JSON (or is empty)
  not_an_object,       ///< valid JSON, but not an object
  bad_id,              ///< `id` is present but not an integer
  missing_field,       ///< a required field (type, channel, data, token...) is absent
  wrong_type,          ///< a field has the wrong JSON type or an out-of-range value
  unknown_type,        ///< `type` names no client frame
};

const boost::system::error_category& protocol_error_category() noexcept;
inline boost::system::error_code make_error_code(ProtocolError e) noexcept {
  return {static_cast<int>(e), protocol_error_category()};
}

}  // namespace herald::protocol

template <>
struct boost::system::is_error_code_enum<herald::protocol::ProtocolError> : std::true_type {};
