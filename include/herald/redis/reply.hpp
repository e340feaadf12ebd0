// Reply: one decoded RESP2 reply, a small tree of typed values.
//
// Built directly by the RESP reader (no intermediate hiredis objects). A Redis error
// reply is an ordinary value here (type error, message in str): the caller decides.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace herald::redis {

enum class ReplyType : std::uint8_t { nil, string, status, error, integer, array };

struct Reply {
  ReplyType type = ReplyType::nil;
  long long integer = 0;        ///< valid when type == integer
  std::string str;              ///< bulk string, status text or error text
  std::vector<Reply> elements;  ///< valid when type == array

  bool is_nil() const noexcept { return type == ReplyType::nil; }
  bool is_error() const noexcept { return type == ReplyType::error; }
  bool is_array() const noexcept { return type == ReplyType::array; }
  bool is_integer() const noexcept { return type == ReplyType::integer; }
  /// True for bulk strings and status replies ("OK", "PONG").
  bool is_string() const noexcept { return type == ReplyType::string || type == ReplyType::status; }

  /// The string value, or nullopt when this is not a string/status reply.
  std::optional<std::string_view> as_string() const noexcept {
    if (!is_string()) return std::nullopt;
    return std::string_view{str};
  }
  /// The integer value; bulk strings holding a decimal integer are accepted too.
  std::optional<long long> as_integer() const noexcept;

  static Reply make_nil() { return {}; }
  static Reply make_string(std::string s) { return {ReplyType::string, 0, std::move(s), {}}; }
  static Reply make_status(std::string s) { return {ReplyType::status, 0, std::move(s), {}}; }
  static Reply make_error(std::string s) { return {ReplyType::error, 0, std::move(s), {}}; }
  static Reply make_integer(long long v) { return {ReplyType::integer, v, {}, {}}; }
  static Reply make_array(std::vector<Reply> e) { return {ReplyType::array, 0, {}, std::move(e)}; }

  friend bool operator==(const Reply&, const Reply&) = default;
};

/// Human-readable rendering for logs and test failures, e.g. `["OK", 3, nil]`.
std::string to_string(const Reply& reply);

}  // namespace herald::redis
