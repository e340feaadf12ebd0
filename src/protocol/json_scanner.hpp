// JsonScanner: one forward pass over JSON text that validates it exactly as
// Boost.JSON's default parse does (RFC 8259, UTF-8 checked, surrogate pairs, nesting
// limit 32, no comments or trailing commas) while the caller walks the structure it
// expects and slices member values as raw text. Used where a body must be validated
// and forwarded byte for byte (HTTP publish bodies): no DOM, no allocation beyond
// the strings the caller decodes. Sans-io, not thread-safe (one scanner per text).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace herald::protocol {

class JsonScanner {
 public:
  /// Boost.JSON's default `max_depth`: containers nested deeper are an error.
  static constexpr int max_depth = 32;
  enum class Error { none, malformed, too_deep };

  explicit JsonScanner(std::string_view text) noexcept : s_(text) {}

  /// Skips whitespace, then consumes `c` if it is next (false otherwise, nothing
  /// consumed but the whitespace). Never records an error.
  bool accept(char c) noexcept;
  /// Skips whitespace and returns the next character ('\0' at the end).
  char peek() noexcept;
  /// Consumes one whole value at the cursor (after whitespace), `depth` containers
  /// being open around it, and returns its raw text; nullopt (error() set) if it is
  /// not valid JSON.
  std::optional<std::string_view> value(int depth);
  /// Consumes a string at the cursor (after whitespace) and decodes it into `out`;
  /// false (error() set) if it is not a valid JSON string.
  bool string(std::string& out);
  /// True when only whitespace is left.
  bool at_end() noexcept;
  /// Records a structural error found by the caller (e.g. a missing ','); the first
  /// error recorded wins. Returns false, for `return fail();`.
  bool fail(Error e = Error::malformed) noexcept;
  Error error() const noexcept { return error_; }

 private:
  void skip_space() noexcept;
  bool scan_string(std::string* out);
  bool scan_number();
  bool scan_literal(std::string_view word);
  bool scan_container(int depth);

  std::string_view s_;
  std::size_t i_ = 0;
  Error error_ = Error::none;
};

}  // namespace herald::protocol
