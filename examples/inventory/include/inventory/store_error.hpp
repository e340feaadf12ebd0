// StoreErrc: why an InventoryStore operation failed, and StoreFailure: that code with
// a message for the API's JSON error (e.g. how much stock was available). The app
// maps each code to one HTTP status (http_status()).
#pragma once

#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

#include <string>
#include <type_traits>

namespace herald::inventory {

enum class StoreErrc {
  not_found = 1,       ///< no such product / order (404)
  invalid_argument,    ///< a value the store refuses: empty name, negative price (400)
  insufficient_stock,  ///< an order or adjustment would take stock below 0 (409)
  conflict,            ///< a unique value is taken, e.g. a product's sku (409)
  database,            ///< SQLite failed (500)
};

const boost::system::error_category& store_error_category() noexcept;

inline boost::system::error_code make_error_code(StoreErrc e) noexcept {
  return {static_cast<int>(e), store_error_category()};
}

/// The HTTP status the API answers for a store error.
int http_status(StoreErrc e) noexcept;

/// A failure with its human-readable detail ("product 7 has 3 in stock, 5 requested").
struct StoreFailure {
  StoreErrc code = StoreErrc::database;
  std::string message;
};

/// Required by boost::system::result<T, StoreFailure>::value(): throws
/// boost::system::system_error carrying the code and message.
[[noreturn]] void throw_exception_from_error(const StoreFailure& failure,
                                             const boost::source_location& location);

template <class T>
using StoreResult = boost::system::result<T, StoreFailure>;

}  // namespace herald::inventory

template <>
struct boost::system::is_error_code_enum<herald::inventory::StoreErrc> : std::true_type {};
