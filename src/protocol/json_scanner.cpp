// JsonScanner: validation rules mirror Boost.JSON's basic_parser with default
// parse_options (see json_scanner.hpp); fuzz/publish_body_fuzz.cpp checks that they
// agree on every input.
#include "protocol/json_scanner.hpp"

#include <boost/json/parse.hpp>

#include <cstdint>

namespace herald::protocol {
namespace {

bool is_space(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Length of the well-formed UTF-8 sequence starting at s[i] (a byte >= 0x80), or 0.
std::size_t utf8_length(std::string_view s, std::size_t i) noexcept {
  auto at = [&](std::size_t k) -> unsigned {
    return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0u;
  };
  auto cont = [&](std::size_t k, unsigned lo = 0x80, unsigned hi = 0xBF) {
    unsigned b = at(k);
    return b >= lo && b <= hi;
  };
  unsigned b = at(0);
  if (b >= 0xC2 && b <= 0xDF) return cont(1) ? 2 : 0;
  if (b == 0xE0) return cont(1, 0xA0) && cont(2) ? 3 : 0;
  if ((b >= 0xE1 && b <= 0xEC) || b == 0xEE || b == 0xEF) return cont(1) && cont(2) ? 3 : 0;
  if (b == 0xED) return cont(1, 0x80, 0x9F) && cont(2) ? 3 : 0;
  if (b == 0xF0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (b >= 0xF1 && b <= 0xF3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (b == 0xF4) return cont(1, 0x80, 0x8F) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

}  // namespace

void JsonScanner::skip_space() noexcept {
  while (i_ < s_.size() && is_space(s_[i_])) ++i_;
}

bool JsonScanner::accept(char c) noexcept {
  skip_space();
  if (i_ < s_.size() && s_[i_] == c) {
    ++i_;
    return true;
  }
  return false;
}

char JsonScanner::peek() noexcept {
  skip_space();
  return i_ < s_.size() ? s_[i_] : '\0';
}

bool JsonScanner::at_end() noexcept {
  skip_space();
  return i_ == s_.size();
}

bool JsonScanner::fail(Error e) noexcept {
  if (error_ == Error::none) error_ = e;
  return false;
}

std::optional<std::string_view> JsonScanner::value(int depth) {
  skip_space();
  const std::size_t start = i_;
  bool ok = false;
  switch (i_ < s_.size() ? s_[i_] : '\0') {
    case '{':
    case '[':
      ok = scan_container(depth + 1);
      break;
    case '"':
      ok = scan_string(nullptr);
      break;
    case 't':
      ok = scan_literal("true");
      break;
    case 'f':
      ok = scan_literal("false");
      break;
    case 'n':
      ok = scan_literal("null");
      break;
    default:
      ok = scan_number();
  }
  if (!ok) return std::nullopt;
  return s_.substr(start, i_ - start);
}

bool JsonScanner::string(std::string& out) {
  skip_space();
  out.clear();
  return scan_string(&out);
}

bool JsonScanner::scan_literal(std::string_view word) {
  if (s_.substr(i_, word.size()) != word) return fail();
  i_ += word.size();
  return true;
}

bool JsonScanner::scan_number() {
  const std::size_t start = i_;
  auto digits = [&] {
    std::size_t from = i_;
    while (i_ < s_.size() && is_digit(s_[i_])) ++i_;
    return i_ - from;
  };
  if (i_ < s_.size() && s_[i_] == '-') ++i_;
  if (i_ >= s_.size() || !is_digit(s_[i_])) return fail();
  if (s_[i_] == '0') {
    ++i_;
  } else {
    digits();
  }
  if (i_ < s_.size() && s_[i_] == '.') {
    ++i_;
    if (digits() == 0) return fail();
  }
  if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
    ++i_;
    if (i_ < s_.size() && (s_[i_] == '+' || s_[i_] == '-')) ++i_;
    std::size_t n = digits();
    if (n == 0) return fail();
    // Boost.JSON refuses exponents beyond an int ("exponent overflow"); where that
    // could apply, it decides on the token alone (rare: 9 or more exponent digits).
    if (n >= 9) {
      boost::system::error_code ec;
      (void)boost::json::parse(s_.substr(start, i_ - start), ec);
      if (ec) return fail();
    }
  }
  return true;
}

bool JsonScanner::scan_string(std::string* out) {
  if (i_ >= s_.size() || s_[i_] != '"') return fail();
  ++i_;
  while (true) {
    // Plain run: copied in one piece.
    const std::size_t run = i_;
    while (i_ < s_.size()) {
      auto c = static_cast<unsigned char>(s_[i_]);
      if (c == '"' || c == '\\' || c < 0x20) break;
      if (c < 0x80) {
        ++i_;
        continue;
      }
      std::size_t n = utf8_length(s_, i_);
      if (n == 0) return fail();
      i_ += n;
    }
    if (out != nullptr) out->append(s_.substr(run, i_ - run));
    if (i_ >= s_.size()) return fail();
    const char c = s_[i_];
    if (c == '"') {
      ++i_;
      return true;
    }
    if (c != '\\') return fail();  // a control character
    if (++i_ >= s_.size()) return fail();
    const char e = s_[i_++];
    char plain = 0;
    switch (e) {
      case '"':
        plain = '"';
        break;
      case '\\':
        plain = '\\';
        break;
      case '/':
        plain = '/';
        break;
      case 'b':
        plain = '\b';
        break;
      case 'f':
        plain = '\f';
        break;
      case 'n':
        plain = '\n';
        break;
      case 'r':
        plain = '\r';
        break;
      case 't':
        plain = '\t';
        break;
      case 'u':
        break;
      default:
        return fail();
    }
    if (e != 'u') {
      if (out != nullptr) *out += plain;
      continue;
    }
    auto hex4 = [&](std::uint32_t& v) {
      if (i_ + 4 > s_.size()) return false;
      v = 0;
      for (int k = 0; k < 4; ++k) {
        int h = hex_value(s_[i_ + static_cast<std::size_t>(k)]);
        if (h < 0) return false;
        v = v * 16 + static_cast<std::uint32_t>(h);
      }
      i_ += 4;
      return true;
    };
    std::uint32_t cp = 0;
    if (!hex4(cp)) return fail();
    if (cp >= 0xDC00 && cp <= 0xDFFF) return fail();  // a lone trailing surrogate
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      if (i_ + 2 > s_.size() || s_[i_] != '\\' || s_[i_ + 1] != 'u') return fail();
      i_ += 2;
      std::uint32_t low = 0;
      if (!hex4(low) || low < 0xDC00 || low > 0xDFFF) return fail();
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    if (out != nullptr) append_utf8(*out, cp);
  }
}

bool JsonScanner::scan_container(int depth) {
  if (depth > max_depth) return fail(Error::too_deep);
  const bool object = s_[i_] == '{';
  const char close = object ? '}' : ']';
  ++i_;
  if (accept(close)) return true;
  while (true) {
    if (object) {
      skip_space();
      if (!scan_string(nullptr)) return false;
      if (!accept(':')) return fail();
    }
    if (!value(depth)) return false;
    if (accept(',')) continue;
    if (accept(close)) return true;
    return fail();
  }
}

}  // namespace herald::protocol
