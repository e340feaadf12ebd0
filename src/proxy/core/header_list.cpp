// HeaderList: case-insensitive lookups over a vector of fields.
#include "proxy/core/header_list.hpp"

#include <cctype>

namespace herald::proxy {

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

void HeaderList::remove(std::string_view name) {
  std::erase_if(fields_, [&](const auto& f) { return iequals(f.first, name); });
}

bool HeaderList::has(std::string_view name) const noexcept {
  for (const auto& [n, v] : fields_)
    if (iequals(n, name)) return true;
  return false;
}

std::optional<std::string> HeaderList::get(std::string_view name) const {
  std::optional<std::string> out;
  for (const auto& [n, v] : fields_) {
    if (!iequals(n, name)) continue;
    if (out) {
      *out += ", ";
      *out += v;
    } else {
      out = v;
    }
  }
  return out;
}

std::optional<std::string_view> HeaderList::first(std::string_view name) const noexcept {
  for (const auto& [n, v] : fields_)
    if (iequals(n, name)) return std::string_view{v};
  return std::nullopt;
}

std::size_t HeaderList::count(std::string_view name) const noexcept {
  std::size_t n = 0;
  for (const auto& [k, v] : fields_)
    if (iequals(k, name)) ++n;
  return n;
}

}  // namespace herald::proxy
