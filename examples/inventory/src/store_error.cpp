// The error category of the inventory store (StoreErrc) and its HTTP mapping.
#include <inventory/store_error.hpp>

#include <boost/system/system_error.hpp>
#include <boost/throw_exception.hpp>

namespace herald::inventory {
namespace {

class StoreErrorCategory final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "herald.inventory"; }
  std::string message(int value) const override {
    switch (static_cast<StoreErrc>(value)) {
      case StoreErrc::not_found:
        return "not found";
      case StoreErrc::invalid_argument:
        return "invalid argument";
      case StoreErrc::insufficient_stock:
        return "insufficient stock";
      case StoreErrc::conflict:
        return "conflict";
      case StoreErrc::database:
        return "database error";
    }
    return "unknown inventory store error";
  }
};

}  // namespace

const boost::system::error_category& store_error_category() noexcept {
  static const StoreErrorCategory category;
  return category;
}

int http_status(StoreErrc e) noexcept {
  switch (e) {
    case StoreErrc::not_found:
      return 404;
    case StoreErrc::invalid_argument:
      return 400;
    case StoreErrc::insufficient_stock:
      return 409;
    case StoreErrc::conflict:
      return 409;
    case StoreErrc::database:
      return 500;
  }
  return 500;
}

void throw_exception_from_error(const StoreFailure& failure,
                                const boost::source_location& location) {
  boost::throw_exception(
      boost::system::system_error(make_error_code(failure.code), failure.message), location);
}

}  // namespace herald::inventory
