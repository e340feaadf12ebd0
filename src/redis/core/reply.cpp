// Reply accessors and the debug rendering used in logs and test failures.
#include <herald/redis/reply.hpp>

#include <charconv>

namespace herald::redis {

std::optional<long long> Reply::as_integer() const noexcept {
  if (type == ReplyType::integer) return integer;
  if (type != ReplyType::string && type != ReplyType::status) return std::nullopt;
  long long value = 0;
  const char* end = str.data() + str.size();
  auto [ptr, ec] = std::from_chars(str.data(), end, value);
  if (ec != std::errc{} || ptr != end || str.empty()) return std::nullopt;
  return value;
}

namespace {

void render(const Reply& r, std::string& out) {
  switch (r.type) {
    case ReplyType::nil: out += "nil"; return;
    case ReplyType::integer: out += std::to_string(r.integer); return;
    case ReplyType::error: out += "(error) " + r.str; return;
    case ReplyType::status: out += r.str; return;
    case ReplyType::string:
      out += '"';
      out += r.str;
      out += '"';
      return;
    case ReplyType::array:
      out += '[';
      for (std::size_t i = 0; i < r.elements.size(); ++i) {
        if (i) out += ", ";
        render(r.elements[i], out);
      }
      out += ']';
      return;
  }
}

}  // namespace

std::string to_string(const Reply& reply) {
  std::string out;
  render(reply, out);
  return out;
}

}  // namespace herald::redis
