// The error category of EngineError and its mapping to protocol error codes.
#include <herald/realtime/engine_error.hpp>

#include <string>

namespace herald::realtime {
namespace {

class EngineErrorCategory final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "herald.engine"; }
  std::string message(int ev) const override {
    switch (static_cast<EngineError>(ev)) {
      case EngineError::unavailable:
        return "engine unavailable";
      case EngineError::history_disabled:
        return "history is disabled for this channel";
      case EngineError::internal:
        return "internal engine error";
    }
    return "unknown engine error";
  }
};

}  // namespace

const boost::system::error_category& engine_error_category() noexcept {
  static const EngineErrorCategory category;
  return category;
}

int wire_code(const boost::system::error_code& ec) noexcept {
  if (ec == EngineError::unavailable) return 503;
  if (ec == EngineError::history_disabled) return 404;
  return 500;
}

}  // namespace herald::realtime
