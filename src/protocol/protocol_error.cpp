// The error category of ProtocolError: names for logs and error_code comparisons.
#include <herald/protocol/protocol_error.hpp>

#include <string>

namespace herald::protocol {
namespace {

class ProtocolErrorCategory final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "herald.protocol"; }
  std::string message(int ev) const override {
    switch (static_cast<ProtocolError>(ev)) {
      case ProtocolError::malformed_json:
        return "malformed JSON";
      case ProtocolError::not_an_object:
        return "frame is not a JSON object";
      case ProtocolError::bad_id:
        return "id must be an integer";
      case ProtocolError::missing_field:
        return "missing field";
      case ProtocolError::wrong_type:
        return "field has the wrong type";
      case ProtocolError::unknown_type:
        return "unknown frame type";
    }
    return "unknown protocol error";
  }
};

}  // namespace

const boost::system::error_category& protocol_error_category() noexcept {
  static const ProtocolErrorCategory category;
  return category;
}

}  // namespace herald::protocol
