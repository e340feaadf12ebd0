// UpstreamBodyStream: the rest of an upstream answer too large to store, relayed to
// the client as it arrives instead of being buffered whole. UpstreamPool reads an
// answer's body up to the largest storable size (ProxyOptions::max_object_bytes);
// past that it stops buffering and hands the connection, its parser (framing state:
// Content-Length left, or where the chunked coding stands) and the bytes read so far
// to this object. The proxy answers with the head at once, then relay() moves the
// body: the bytes read so far, then each piece as the upstream sends it, each write
// finished before the next read (the client's pace is the upstream's: no buffering
// beyond one 64 KiB piece). An answer without a Content-Length goes out chunked.
//
// Thread: made on the cache's thread, relayed on the client's shard: the socket is
// moved onto the relaying executor (its descriptor is released and adopted) so that
// no I/O object is shared between threads. The upstream connection is not reused.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace herald::proxy {

class UpstreamBodyStream {
 public:
  using Parser = boost::beast::http::response_parser<boost::beast::http::buffer_body>;

  /// `socket` is released here (its descriptor kept); `read` holds the body bytes
  /// already decoded, `buffer` the raw bytes read past them.
  UpstreamBodyStream(boost::asio::ip::tcp::socket& socket, std::unique_ptr<Parser> parser,
                     boost::beast::flat_buffer buffer, std::string read,
                     std::chrono::milliseconds body_timeout);
  ~UpstreamBodyStream();
  UpstreamBodyStream(const UpstreamBodyStream&) = delete;
  UpstreamBodyStream& operator=(const UpstreamBodyStream&) = delete;

  /// Writes the body to `client` (chunked when there is no Content-Length). Returns
  /// true when the whole body went through; false when either side failed or the
  /// upstream stalled past the body timeout (the client connection must then close:
  /// the answer is incomplete). Call once, on the executor that will own the socket.
  boost::asio::awaitable<bool> relay(boost::beast::tcp_stream& client);

 private:
  int fd_ = -1;
  boost::asio::ip::tcp protocol_ = boost::asio::ip::tcp::v4();
  std::unique_ptr<Parser> parser_;
  boost::beast::flat_buffer buffer_;
  std::string read_;
  std::chrono::milliseconds body_timeout_;
};

}  // namespace herald::proxy
