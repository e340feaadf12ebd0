// HeaderList: the header fields of one HTTP message as the sans-io core sees them
// (name, value pairs in arrival order), with case-insensitive lookup. The proxy
// builds one from Beast's fields; tests and fuzzers build them by hand.
//
// Thread: value type. Cost: lookups are O(number of fields).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace herald::proxy {

bool iequals(std::string_view a, std::string_view b) noexcept;
std::string lower(std::string_view s);

class HeaderList {
 public:
  HeaderList() = default;
  HeaderList(std::initializer_list<std::pair<std::string, std::string>> fields) : fields_(fields) {}

  void add(std::string name, std::string value) {
    fields_.emplace_back(std::move(name), std::move(value));
  }
  /// Drops every line named `name`.
  void remove(std::string_view name);
  bool has(std::string_view name) const noexcept;
  /// Every field line named `name`, joined with ", " (RFC 9110 section 5.3);
  /// nullopt when there is none.
  std::optional<std::string> get(std::string_view name) const;
  /// The first line named `name` only (for singleton fields such as Date, Age).
  std::optional<std::string_view> first(std::string_view name) const noexcept;
  std::size_t count(std::string_view name) const noexcept;

  const std::vector<std::pair<std::string, std::string>>& fields() const noexcept {
    return fields_;
  }

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

}  // namespace herald::proxy
