// check_request_head / parse_error_answer / valid_websocket_key on parsed and
// malformed heads (no sockets): the framing and Host rules of RFC 9112 that Beast's
// parser leaves to the server, and the answers to what the parser refuses.
#include "gateway/request_head.hpp"

#include <gtest/gtest.h>

#include <boost/asio/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <string>

namespace herald::gateway {
namespace {

namespace http = boost::beast::http;

// Parses `text` as a request head; the verdict of check_request_head, or the parse
// error's answer when the parser refused it.
HeadVerdict verdict_for(const std::string& text, std::size_t header_limit = 16 * 1024) {
  http::request_parser<http::string_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(header_limit));
  parser.eager(false);
  boost::system::error_code ec;
  std::size_t used = parser.put(boost::asio::buffer(text), ec);
  if (ec)
    return parse_error_answer(ec, std::string_view(text).substr(used), header_limit,
                              !parser.get().target().empty());
  if (!parser.is_header_done()) return {999, "incomplete"};
  return check_request_head(parser.get().base());
}

TEST(RequestHead, AcceptsPlainRequests) {
  EXPECT_EQ(verdict_for("GET / HTTP/1.1\r\nHost: x\r\n\r\n").status, 0u);
  EXPECT_EQ(verdict_for("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n").status, 0u);
  EXPECT_EQ(verdict_for("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n").status,
            0u);
  EXPECT_EQ(verdict_for("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: CHUNKED \r\n\r\n").status,
            0u);
  EXPECT_EQ(verdict_for("GET / HTTP/1.0\r\n\r\n").status, 0u);
}

TEST(RequestHead, RefusesTransferEncodingOtherThanChunked) {
  auto te = [](const std::string& value, const std::string& extra = "") {
    return verdict_for("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: " + value + "\r\n" +
                       extra + "\r\n")
        .status;
  };
  EXPECT_EQ(te("identity"), 400u);
  EXPECT_EQ(te("gzip"), 400u);
  EXPECT_EQ(te("chunked, identity"), 400u);
  EXPECT_EQ(te("chunked;foo=bar"), 400u);
  EXPECT_EQ(te("gzip, chunked"), 501u);
  EXPECT_NE(te("chunked", "Transfer-Encoding: chunked\r\n"), 0u);  // chunked twice
  EXPECT_EQ(te("gzip", "Transfer-Encoding: chunked\r\n"), 501u);
  EXPECT_EQ(te(","), 400u);
  // With Content-Length: refused whatever the coding (the parser may refuse it first).
  EXPECT_EQ(te("identity", "Content-Length: 5\r\n"), 400u);
  EXPECT_EQ(verdict_for("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n").status, 400u);
}

TEST(RequestHead, Http11NeedsExactlyOneHost) {
  EXPECT_EQ(verdict_for("GET / HTTP/1.1\r\n\r\n").status, 400u);
  EXPECT_EQ(verdict_for("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n").status, 400u);
  EXPECT_EQ(verdict_for("GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n").status, 400u);
}

TEST(RequestHead, ParseErrorsGetAnswers) {
  EXPECT_EQ(verdict_for("GET /" + std::string(2000, 'a') + " HTTP/1.1\r\n\r\n", 1024).status, 414u);
  EXPECT_EQ(verdict_for("GET / HTTP/1.1\r\nX: " + std::string(2000, 'a') + "\r\n\r\n", 1024).status,
            431u);
  EXPECT_EQ(verdict_for("GET / HTTP/1.1\r\nHo st: x\r\n\r\n").status, 400u);
  EXPECT_EQ(verdict_for("\x01\x02\x03 / HTTP/1.1\r\n\r\n").status, 400u);
  EXPECT_EQ(verdict_for("GET / HTTP/9.9\r\n\r\n").status, 400u);
  EXPECT_EQ(
      verdict_for("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n")
          .status,
      400u);
  // Not the request's fault: no answer, just close.
  EXPECT_EQ(parse_error_answer(http::error::end_of_stream, "", 1024, false).status, 0u);
  EXPECT_EQ(parse_error_answer(http::error::partial_message, "GET", 1024, false).status, 0u);
  EXPECT_EQ(parse_error_answer(boost::asio::error::connection_reset, "", 1024, false).status, 0u);
  EXPECT_EQ(parse_error_answer(http::error::body_limit, "", 1024, true).status, 413u);
  // A head still arriving when it passed the limit: the line decides.
  EXPECT_EQ(
      parse_error_answer(http::error::header_limit, "GET / HTTP/1.1\r\nX: aaaa", 16, false).status,
      431u);
  EXPECT_EQ(
      parse_error_answer(http::error::header_limit, "GET /aaaaaaaaaaaaaaaaaaa", 16, false).status,
      414u);
}

TEST(RequestHead, WebSocketKeyMustBe16BytesOfBase64) {
  EXPECT_TRUE(valid_websocket_key("dGhlIHNhbXBsZSBub25jZQ=="));
  EXPECT_TRUE(valid_websocket_key(" dGhlIHNhbXBsZSBub25jZQ== "));
  EXPECT_FALSE(valid_websocket_key(""));
  EXPECT_FALSE(valid_websocket_key("short"));
  EXPECT_FALSE(valid_websocket_key("dGhlIHNhbXBsZSBub25jZQ"));
  EXPECT_FALSE(valid_websocket_key("dGhlIHNhbXBsZSBub25jZQ=A"));
  EXPECT_FALSE(valid_websocket_key("!!!!!!!!!!!!!!!!!!!!!!=="));
  EXPECT_FALSE(valid_websocket_key("dGhlIHNhbXBsZSBub25jZQ==AAAA"));
  EXPECT_FALSE(valid_websocket_key("dGhlIHNhbXBsZSBub25jZ===="));
}

}  // namespace
}  // namespace herald::gateway
