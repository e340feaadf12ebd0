// append_json_ok: the publish fast path's answer is byte for byte what Beast writes
// for json_response() on an HTTP/1.1 keep-alive request (no sockets).
#include "gateway/http_api.hpp"

#include <gtest/gtest.h>

#include <boost/beast/http/write.hpp>

#include <sstream>
#include <string>

namespace herald::gateway {
namespace {

namespace http = boost::beast::http;

std::string beast_bytes(std::string body) {
  HttpRequest req{http::verb::post, "/api/publish", 11};
  req.set(http::field::host, "x");
  req.keep_alive(true);
  std::ostringstream out;
  out << json_response(req, std::move(body));
  return out.str();
}

TEST(JsonAnswer, SameBytesAsBeast) {
  for (std::string body : {std::string(R"({"offset":1,"epoch":"abc"})"), std::string("{}"),
                           std::string(R"({"offset":18446744073709551615,"epoch":"e"})"),
                           std::string(1000, 'x'), std::string()}) {
    std::string ours;
    append_json_ok(ours, body);
    EXPECT_EQ(ours, beast_bytes(body));
  }
}

TEST(JsonAnswer, AppendsToWhatIsThere) {
  std::string out = "prefix";
  append_json_ok(out, "{}");
  EXPECT_EQ(out, "prefix" + beast_bytes("{}"));
}

}  // namespace
}  // namespace herald::gateway
