// libFuzzer target for parse_client_frame(): arbitrary bytes must never crash the
// codec, and every accepted publish must carry `data` that is itself valid JSON (the
// raw slice is forwarded to subscribers untouched, so a bad slice would corrupt
// every subscriber's stream).
#include <herald/protocol/client_frame.hpp>
#include <herald/protocol/server_frame.hpp>

#include <boost/json/parse.hpp>

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = herald::protocol::parse_client_frame(text);
  if (!parsed.ok()) {
    if (parsed.command || parsed.message.empty()) std::abort();
    return 0;
  }
  if (!parsed.command) std::abort();
  if (auto* p = std::get_if<herald::protocol::PublishFrame>(&*parsed.command)) {
    boost::system::error_code ec;
    boost::json::parse(p->data, ec);
    if (ec) std::abort();
    auto frame = herald::protocol::encode_message(p->channel, 1, "e", p->data);
    boost::json::parse(frame.text, ec);
    if (ec) std::abort();
  }
  return 0;
}
