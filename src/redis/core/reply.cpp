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

/// Appends `s` with control bytes escaped (\n, \r, \t, \xHH), so a reply with
/// binary data never breaks a log line.
void append_escaped(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (unsigned char c : s) {
    switch (c) {
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out += "\\x";
          out += kHex[c >> 4];
          out += kHex[c & 0xf];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
}

void render(const Reply& r, std::string& out) {
  switch (r.type) {
    case ReplyType::nil:
      out += "nil";
      return;
    case ReplyType::integer:
      out += std::to_string(r.integer);
      return;
    case ReplyType::error:
      out += "(error) ";
      append_escaped(out, r.str);
      return;
    case ReplyType::status:
    case ReplyType::string:
      out += '"';
      append_escaped(out, r.str);
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
