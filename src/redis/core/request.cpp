// RESP encoding of commands: `*<argc>\r\n` then `$<len>\r\n<bytes>\r\n` per argument.
// Written here rather than with redisFormatCommandArgv so that arguments are appended
// straight into the request's buffer (no intermediate sds string per command).
#include <herald/redis/request.hpp>

#include <charconv>
#include <cstring>

namespace herald::redis {
namespace {

/// Formats "<marker><n>\r\n" at `out` (room for 24 bytes); returns its length.
std::size_t format_header(char* out, char marker, std::size_t n) {
  out[0] = marker;
  auto [end, ec] = std::to_chars(out + 1, out + 22, n);
  (void)ec;  // 21 bytes always hold a size_t
  end[0] = '\r';
  end[1] = '\n';
  return static_cast<std::size_t>(end + 2 - out);
}

}  // namespace

void Request::begin_command(std::size_t argc) {
  char buf[24];
  payload_.append(buf, format_header(buf, '*', argc));
  ++commands_;
}

void Request::append_arg(std::string_view arg) {
  // A short argument (keys, numbers, most values) is formatted whole on the stack and
  // appended once: one capacity check and one copy call instead of five. Requests are
  // often built per call (e.g. the cache's MGET on every L2 read).
  char buf[128];
  std::size_t n = format_header(buf, '$', arg.size());
  if (arg.size() <= sizeof buf - n - 2) {
    if (!arg.empty()) std::memcpy(buf + n, arg.data(), arg.size());  // data() may be null
    n += arg.size();
    buf[n++] = '\r';
    buf[n++] = '\n';
    payload_.append(buf, n);
    return;
  }
  payload_.append(buf, n);
  payload_.append(arg);
  payload_.append("\r\n", 2);
}

void Request::append_integer(long long value) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  (void)ec;
  append_arg(std::string_view{buf, static_cast<std::size_t>(end - buf)});
}

}  // namespace herald::redis
