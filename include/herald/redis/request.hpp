// Request: one or more Redis commands, already encoded as RESP, sent as one unit.
//
// Encoding happens when a command is pushed, so sending is a single append to the
// connection's write buffer. A request of N commands is answered with N replies, in
// order; pipelining many requests on one connection is the normal way to be fast.
// Cost: one append per argument; numbers are formatted with std::to_chars.
#pragma once

#include <chrono>
#include <concepts>
#include <cstddef>
#include <initializer_list>
#include <ranges>
#include <string>
#include <string_view>

namespace herald::redis {

class Request {
 public:
  /// Appends one command. Arguments may be strings, string views, C strings or
  /// integers; anything else must be converted by the caller first.
  template <class... Args>
  Request& push(std::string_view command, const Args&... args) {
    begin_command(1 + sizeof...(Args));
    append_arg(command);
    (append_arg(args), ...);
    return *this;
  }

  /// Appends `command head... items...`, where items is any range of string-like or
  /// integer values (e.g. the keys of an UNLINK, the fields of an XADD).
  template <std::ranges::sized_range Range>
  Request& push_range(std::string_view command, std::initializer_list<std::string_view> head,
                      const Range& items) {
    begin_command(1 + head.size() + std::ranges::size(items));
    append_arg(command);
    for (auto h : head) append_arg(h);
    for (const auto& item : items) append_arg(item);
    return *this;
  }

  /// Appends every command of `other` after this request's (e.g. ASKING, then the
  /// command a cluster node redirected). Cost: one copy of other's bytes.
  Request& append(const Request& other) {
    payload_ += other.payload_;
    commands_ += other.commands_;
    return *this;
  }

  /// Number of commands, hence of replies the server will send.
  std::size_t size() const noexcept { return commands_; }
  bool empty() const noexcept { return commands_ == 0; }
  /// The RESP bytes to send.
  const std::string& payload() const noexcept { return payload_; }
  void clear() noexcept {
    payload_.clear();
    commands_ = 0;
  }

  /// How long the caller waits for the replies; zero means the connection's default.
  /// Blocking commands (XREAD BLOCK) need a timeout longer than their BLOCK.
  std::chrono::milliseconds timeout{0};

 private:
  void begin_command(std::size_t argc);
  void append_arg(std::string_view arg);
  void append_arg(const std::string& arg) { append_arg(std::string_view{arg}); }
  void append_arg(const char* arg) { append_arg(std::string_view{arg}); }
  template <std::integral T>
  void append_arg(T value) {
    append_integer(static_cast<long long>(value));
  }
  void append_integer(long long value);

  std::string payload_;
  std::size_t commands_ = 0;
};

}  // namespace herald::redis
