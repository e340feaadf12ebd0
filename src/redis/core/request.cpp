// RESP encoding of commands: `*<argc>\r\n` then `$<len>\r\n<bytes>\r\n` per argument.
// Written here rather than with redisFormatCommandArgv so that arguments are appended
// straight into the request's buffer (no intermediate sds string per command).
#include <herald/redis/request.hpp>

#include <charconv>

namespace herald::redis {
namespace {

void append_header(std::string& out, char marker, std::size_t n) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, n);
  (void)ec;  // 24 bytes always hold a size_t
  out += marker;
  out.append(buf, end);
  out += "\r\n";
}

}  // namespace

void Request::begin_command(std::size_t argc) {
  append_header(payload_, '*', argc);
  ++commands_;
}

void Request::append_arg(std::string_view arg) {
  append_header(payload_, '$', arg.size());
  payload_.append(arg);
  payload_ += "\r\n";
}

void Request::append_integer(long long value) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  (void)ec;
  append_arg(std::string_view{buf, static_cast<std::size_t>(end - buf)});
}

}  // namespace herald::redis
