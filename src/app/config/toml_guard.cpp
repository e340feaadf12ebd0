// TOML pre-scan for toml++ 3.3.0's Unicode-classification bug (see toml_guard.hpp).
//
// A recursive-descent recogniser for TOML 1.0's structure (keys, headers, values,
// arrays, inline tables, the four string forms, comments) that tokenises exactly as
// toml++ does, so it knows which bytes toml++ treats as string or comment content
// (never classified) and which it classifies. Where the text leaves what it
// recognises, toml++ either stops there with a parse error or reads on in a way not
// modelled here, so from that point every non-ASCII byte counts as a hazard. It does
// not report syntax errors itself: toml++ does that afterwards, with better messages.
#include "toml_guard.hpp"

namespace herald::app::detail {
namespace {

constexpr int eof = -1;
constexpr int max_depth = 32;  // nested arrays / inline tables
constexpr std::string_view outside = "non-ASCII character outside a string or comment";
constexpr std::string_view after_backslash_text =
    "non-ASCII character after a backslash in a \"\"\" string (unsupported: toml++ 3.3.0 bug)";

bool non_ascii(int c) {
  return c >= 0x80;
}
bool blank(int c) {
  return c == ' ' || c == '\t';
}
bool bare_key_char(int c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}
// toml++'s is_value_terminator for ASCII: whitespace (\t, ' ', \n, \v, \f, \r), ] } , #
bool value_terminator(int c) {
  return blank(c) || (c >= '\n' && c <= '\r') || c == ']' || c == '}' || c == ',' || c == '#';
}
bool digit(int c) {
  return c >= '0' && c <= '9';
}

// Each recogniser returns false when the text leaves the recognised structure (i_ is
// then where it did) or when it found a hazard (hazard_ set).
class Scanner {
 public:
  explicit Scanner(std::string_view text) : t_(text) {}

  std::optional<TomlHazard> run() {
    if (t_.starts_with("\xEF\xBB\xBF")) i_ = 3;  // toml++ skips a UTF-8 byte-order mark
    if (document() || hazard_) return hazard_;
    for (; i_ < t_.size(); ++i_) {
      if (t_[i_] == '\n') ++line_;
      if (non_ascii(peek())) return TomlHazard{line_, std::string(outside)};
    }
    return std::nullopt;
  }

 private:
  int peek(std::size_t k = 0) const {
    return i_ + k < t_.size() ? static_cast<unsigned char>(t_[i_ + k]) : eof;
  }
  bool take(char c) {
    if (peek() != c) return false;
    ++i_;
    return true;
  }
  void skip_blank() {
    while (blank(peek())) ++i_;
  }
  bool newline() {
    std::size_t n = peek() == '\n' ? 1 : (peek() == '\r' && peek(1) == '\n') ? 2 : 0;
    if (n == 0) return false;
    i_ += n;
    ++line_;
    return true;
  }
  void comment() {
    if (peek() != '#') return;
    while (peek() != eof && peek() != '\n') ++i_;
  }
  bool line_end() {
    skip_blank();
    comment();
    return peek() == eof || newline();
  }
  bool fail_hazard(std::string_view what) {
    hazard_ = TomlHazard{line_, std::string(what)};
    return false;
  }

  bool document() {
    while (peek() != eof) {
      skip_blank();
      if (newline()) continue;
      if (peek() == '#' || peek() == eof) {
        if (!line_end()) return false;
        continue;
      }
      bool ok = peek() == '[' ? header() : key_value(0);
      if (!ok || !line_end()) return false;
    }
    return true;
  }

  bool header() {
    ++i_;
    bool array_of_tables = peek() == '[';
    if (array_of_tables) ++i_;
    skip_blank();
    if (!key()) return false;
    skip_blank();
    for (int n = array_of_tables ? 2 : 1; n > 0; --n) {
      if (peek() != ']') return false;
      ++i_;
    }
    return true;
  }

  bool key() {
    while (true) {
      if (!key_segment()) return false;
      skip_blank();
      if (peek() != '.') return true;
      ++i_;
      skip_blank();
    }
  }

  bool key_segment() {
    int c = peek();
    if (c == '"' || c == '\'') {
      if (peek(1) == c && peek(2) == c) return false;  // multi-line: not a key
      return c == '"' ? basic_string() : literal_string();
    }
    std::size_t start = i_;
    while (bare_key_char(peek())) ++i_;
    return i_ > start;
  }

  bool key_value(int depth) {
    if (!key()) return false;
    skip_blank();
    if (!take('=')) return false;
    skip_blank();
    return value(depth);
  }

  bool value(int depth) {
    if (depth > max_depth) return false;
    int c = peek();
    if (c == '"' || c == '\'') {
      bool multi_line = peek(1) == c && peek(2) == c;
      if (c == '"') return multi_line ? multi_line_string('"') : basic_string();
      return multi_line ? multi_line_string('\'') : literal_string();
    }
    if (c == '[') return array(depth + 1);
    if (c == '{') return inline_table(depth + 1);
    return bare_value();
  }

  // Numbers, booleans, dates: toml++ scans up to a value terminator, classifying each
  // character, so only ASCII without quotes is recognised here.
  bool bare_run() {
    std::size_t start = i_;
    while (peek() != eof && !value_terminator(peek())) {
      if (non_ascii(peek()) || peek() == '"' || peek() == '\'') return false;
      ++i_;
    }
    return i_ > start;
  }

  bool bare_value() {
    std::size_t start = i_;
    if (!bare_run()) return false;
    // Like toml++, read on over one space after a date when a time follows it.
    if (i_ - start == 10 && t_[start + 4] == '-' && t_[start + 7] == '-' && peek() == ' ' &&
        digit(peek(1))) {
      ++i_;
      return bare_run();
    }
    return true;
  }

  // Blanks, newlines and comments between array elements.
  void array_space() {
    while (true) {
      skip_blank();
      comment();
      if (!newline()) return;
    }
  }

  bool array(int depth) {
    ++i_;
    array_space();
    if (take(']')) return true;
    while (true) {
      if (!value(depth)) return false;
      array_space();
      if (take(']')) return true;
      if (!take(',')) return false;
      array_space();
      if (take(']')) return true;  // trailing comma
    }
  }

  bool inline_table(int depth) {
    ++i_;
    skip_blank();
    if (take('}')) return true;
    while (true) {
      if (!key_value(depth)) return false;
      skip_blank();
      if (take('}')) return true;
      if (!take(',')) return false;
      skip_blank();
    }
  }

  bool basic_string() {
    ++i_;
    while (true) {
      int c = peek();
      if (c == eof || c == '\n') return false;
      ++i_;
      if (c == '"') return true;
      if (c == '\\') {
        if (peek() == eof || peek() == '\n') return false;
        ++i_;  // the escaped character is never classified in a one-line string
      }
    }
  }

  bool literal_string() {
    ++i_;
    while (true) {
      int c = peek();
      if (c == eof || c == '\n') return false;
      ++i_;
      if (c == '\'') return true;
    }
  }

  // """...""" or '''...''': 3 to 5 quotes close it (1-2 of them are content).
  bool multi_line_string(char quote) {
    i_ += 3;
    while (true) {
      int c = peek();
      if (c == eof) return false;
      if (c == quote) {
        std::size_t n = 0;
        while (peek(n) == quote) ++n;
        i_ += n;
        if (n >= 3) return n <= 5;
      } else if (newline()) {
      } else if (c == '\\' && quote == '"') {
        ++i_;
        if (!after_backslash()) return false;
      } else {
        ++i_;
      }
    }
  }

  // In a """ string, toml++ classifies the character after a backslash; when that is
  // a space or tab it skips them (classifying the first non-blank), needs a line
  // break, then skips blanks and line breaks and classifies the first character after.
  bool after_backslash() {
    int c = peek();
    if (non_ascii(c)) return fail_hazard(after_backslash_text);
    if (!blank(c) && c != '\n' && c != '\r') {
      if (c == eof) return false;
      ++i_;  // an ordinary escape such as \" or \u
      return true;
    }
    skip_blank();
    if (non_ascii(peek())) return fail_hazard(after_backslash_text);
    if (!newline()) return false;
    while (true) {
      if (blank(peek())) {
        ++i_;
      } else if (!newline()) {
        break;
      }
    }
    if (non_ascii(peek())) return fail_hazard(after_backslash_text);
    return true;
  }

  std::string_view t_;
  std::size_t i_ = 0;
  std::size_t line_ = 1;
  std::optional<TomlHazard> hazard_;
};

}  // namespace

std::optional<TomlHazard> find_toml_hazard(std::string_view text) {
  return Scanner(text).run();
}

}  // namespace herald::app::detail
