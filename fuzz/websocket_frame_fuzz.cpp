// libFuzzer target for the WebSocket frame reader as the gateway configures it
// (Beast's websocket::stream, server role, no deflate, one frame per message, 64 KiB
// message limit) over an in-memory stream: after a valid upgrade request, arbitrary
// client bytes must never crash the reader, and what the server writes back (pongs,
// close frames) must be well-formed unmasked frames, each control frame at most 127
// bytes long (so a peer's pings cost the server bounded output per ping).
#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

// A synchronous stream that reads from a fixed input and collects what is written.
struct MemoryStream {
  using executor_type = asio::io_context::executor_type;
  asio::io_context* context;
  std::string_view input;
  std::string output;

  executor_type get_executor() noexcept { return context->get_executor(); }

  template <class MutableBuffers>
  std::size_t read_some(const MutableBuffers& buffers, boost::system::error_code& ec) {
    if (input.empty()) {
      ec = asio::error::eof;
      return 0;
    }
    std::size_t n = asio::buffer_copy(buffers, asio::buffer(input.data(), input.size()));
    input.remove_prefix(n);
    ec = {};
    return n;
  }
  template <class MutableBuffers>
  std::size_t read_some(const MutableBuffers& buffers) {
    boost::system::error_code ec;
    std::size_t n = read_some(buffers, ec);
    if (ec) throw boost::system::system_error(ec);
    return n;
  }
  template <class ConstBuffers>
  std::size_t write_some(const ConstBuffers& buffers, boost::system::error_code& ec) {
    std::size_t n = 0;
    for (auto it = asio::buffer_sequence_begin(buffers); it != asio::buffer_sequence_end(buffers);
         ++it) {
      asio::const_buffer b(*it);
      output.append(static_cast<const char*>(b.data()), b.size());
      n += b.size();
    }
    ec = {};
    return n;
  }
  template <class ConstBuffers>
  std::size_t write_some(const ConstBuffers& buffers) {
    boost::system::error_code ec;
    return write_some(buffers, ec);
  }
};

void teardown(beast::role_type, MemoryStream&, boost::system::error_code& ec) {
  ec = {};
}

// Walks the server's frames; aborts on anything malformed.
void check_server_frames(std::string_view out) {
  std::size_t i = 0;
  while (i < out.size()) {
    if (out.size() - i < 2) std::abort();
    auto b0 = static_cast<unsigned char>(out[i]);
    auto b1 = static_cast<unsigned char>(out[i + 1]);
    if ((b1 & 0x80) != 0) std::abort();  // a server never masks
    std::uint64_t len = b1 & 0x7F;
    std::size_t header = 2;
    if (len == 126 || len == 127) {
      std::size_t ext = len == 126 ? 2 : 8;
      if (out.size() - i < 2 + ext) std::abort();
      len = 0;
      for (std::size_t k = 0; k < ext; ++k)
        len = (len << 8) | static_cast<unsigned char>(out[i + 2 + k]);
      header += ext;
    }
    bool control = (b0 & 0x08) != 0;
    if (control && (len > 125 || (b0 & 0x80) == 0)) std::abort();
    if (out.size() - i - header < len) std::abort();
    i += header + static_cast<std::size_t>(len);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string upgrade =
      "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";
  std::string input = upgrade;
  input.append(reinterpret_cast<const char*>(data), size);
  asio::io_context context;
  websocket::stream<MemoryStream, false> ws(MemoryStream{&context, input, {}});
  ws.read_message_max(64 * 1024);
  ws.auto_fragment(false);
  boost::system::error_code ec;
  ws.accept(ec);
  if (ec) std::abort();  // the upgrade request is valid
  std::size_t handshake = ws.next_layer().output.size();
  beast::flat_buffer buffer;
  for (int messages = 0; messages < 1000; ++messages) {
    ws.read(buffer, ec);
    if (ec) break;
    if (buffer.size() > 64 * 1024) std::abort();
    buffer.clear();
  }
  check_server_frames(std::string_view(ws.next_layer().output).substr(handshake));
  return 0;
}
