// WebSocketWriter::encode_header: the data frame header Herald writes itself (RFC 6455
// section 5.2: FIN, opcode, unmasked, the shortest length form).
#include "gateway/websocket_writer.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace herald::gateway {
namespace {

std::vector<unsigned> header_of(std::uint64_t size, bool text) {
  unsigned char out[WebSocketWriter::max_header] = {};
  std::size_t n = WebSocketWriter::encode_header(size, text, out);
  return std::vector<unsigned>(out, out + n);
}

TEST(WebSocketWriterHeader, SevenBitLengths) {
  EXPECT_EQ(header_of(0, true), (std::vector<unsigned>{0x81, 0}));
  EXPECT_EQ(header_of(125, true), (std::vector<unsigned>{0x81, 125}));
  EXPECT_EQ(header_of(5, false), (std::vector<unsigned>{0x82, 5}));
}

TEST(WebSocketWriterHeader, SixteenBitLengths) {
  EXPECT_EQ(header_of(126, true), (std::vector<unsigned>{0x81, 126, 0, 126}));
  EXPECT_EQ(header_of(0xFFFF, true), (std::vector<unsigned>{0x81, 126, 0xFF, 0xFF}));
}

TEST(WebSocketWriterHeader, SixtyFourBitLengths) {
  EXPECT_EQ(header_of(0x10000, true), (std::vector<unsigned>{0x81, 127, 0, 0, 0, 0, 0, 1, 0, 0}));
  EXPECT_EQ(header_of(0x0102030405060708ULL, false),
            (std::vector<unsigned>{0x82, 127, 1, 2, 3, 4, 5, 6, 7, 8}));
}

}  // namespace
}  // namespace herald::gateway
