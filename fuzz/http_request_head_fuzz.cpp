// libFuzzer target for the HTTP request head as the gateway reads it: Beast's
// request parser with the gateway's limits and its RequestArena (fields and target in
// the arena, spilling to the heap), then check_request_head() on what it accepted or
// parse_error_answer() on what it refused. Arbitrary bytes must never crash either,
// and every answer must be one the gateway means to give.
#include "gateway/request_arena.hpp"
#include "gateway/request_head.hpp"

#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <tuple>
#include <utility>

namespace {

bool expected(unsigned status, bool parse_error) {
  if (parse_error)
    return status == 0 || status == 400 || status == 413 || status == 414 || status == 431;
  return status == 0 || status == 400 || status == 501;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace http = boost::beast::http;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  constexpr std::size_t header_limit = 4096;  // small, so that the limit paths are reached
  herald::gateway::RequestArena arena;
  herald::gateway::ArenaRequestParser parser(
      std::piecewise_construct, std::make_tuple(),
      std::make_tuple(herald::gateway::RequestAllocator<char>(arena)));
  parser.header_limit(header_limit);
  parser.body_limit(64 * 1024);
  parser.eager(true);
  boost::system::error_code ec;
  std::size_t used = 0;
  // Fed in two pieces, as reads would: the parser must cope with any split.
  std::size_t split = size / 2;
  used = parser.put(boost::asio::buffer(text.data(), split), ec);
  if ((!ec || ec == http::error::need_more) && !parser.is_done()) {
    ec = {};
    std::string_view rest = text.substr(used);
    std::size_t more = parser.put(boost::asio::buffer(rest.data(), rest.size()), ec);
    used += more;
  }
  if (ec && ec != http::error::need_more) {
    auto answer = herald::gateway::parse_error_answer(ec, text.substr(used), header_limit,
                                                      !parser.get().target().empty());
    if (!expected(answer.status, true)) std::abort();
    return 0;
  }
  if (parser.is_header_done()) {
    auto verdict = herald::gateway::check_request_head(parser.get().base());
    if (!expected(verdict.status, false)) std::abort();
    if (verdict.status != 0 && verdict.message.empty()) std::abort();
    // An accepted request is framed by chunked alone or by Content-Length alone.
    if (verdict.status == 0 && parser.chunked() && parser.content_length()) std::abort();
  }
  if (auto key = parser.get()[http::field::sec_websocket_key]; !key.empty()) {
    if (herald::gateway::valid_websocket_key(key) && key.size() < 24) std::abort();
  }
  return 0;
}
