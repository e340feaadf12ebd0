// RespReader: turns the bytes a Redis server sends into Reply values (RESP2).
//
// Sans-io: feed() bytes as they arrive, then call next() until it yields nothing.
// hiredis's reader does the byte-level parsing; we give it our own object functions
// so it builds Reply trees directly (no redisReply copies) and so that an absurd
// array length from a corrupt stream is refused instead of allocated.
// After a protocol error the reader is poisoned: the stream cannot be resynchronised,
// so the owner must drop the connection.
// Cost: one copy of the input into hiredis's buffer; one allocation per string and
// per array node.
#pragma once

#include <herald/redis/error.hpp>
#include <herald/redis/reply.hpp>

#include <cstddef>
#include <optional>
#include <string>

struct redisReader;

namespace herald::redis {

class RespReader {
 public:
  explicit RespReader(std::size_t max_array_elements = std::size_t{64} * 1024 * 1024);
  ~RespReader();
  RespReader(const RespReader&) = delete;
  RespReader& operator=(const RespReader&) = delete;

  /// Forgets everything fed so far (and a protocol error): as newly constructed.
  void reset();

  /// Appends received bytes. Fails (protocol_error) only if the reader is poisoned.
  Result<void> feed(const char* data, std::size_t size);

  /// The next complete reply, nullopt when more bytes are needed, or protocol_error.
  Result<std::optional<Reply>> next();

  /// hiredis's description of the last protocol error ("" when none).
  const std::string& error_text() const noexcept { return error_text_; }

 private:
  redisReader* reader_;
  std::size_t max_array_elements_;
  std::string error_text_;
};

}  // namespace herald::redis
