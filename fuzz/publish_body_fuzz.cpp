// libFuzzer target for the HTTP publish bodies (parse_publish_body, parse_batch_body)
// and the JsonScanner under them: a differential check against Boost.JSON. The
// scanner must accept exactly what boost::json::parse accepts (too deep reported as
// such), a body is accepted exactly when its DOM has the expected fields, and each
// raw `data` slice is valid JSON equal to the DOM's value (the last duplicate), with
// the optional `event` checked against its rules and carried ("message" as "").
#include <herald/protocol/publish_body.hpp>

#include <boost/json/error.hpp>
#include <boost/json/parse.hpp>

#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace {

bool any_channel(std::string_view c) noexcept {
  return !c.empty();
}

void check(bool condition) {
  if (!condition) std::abort();
}

// The `event` member's rules, written out independently of the parser.
bool event_ok(const boost::json::object& o) {
  const boost::json::value* e = o.if_contains("event");
  if (e == nullptr) return true;
  if (!e->is_string()) return false;
  std::string_view s = e->get_string();
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != ':' && c != '.' &&
        c != '-')
      return false;
  }
  return !herald::protocol::reserved_event_name(s);
}

// The event an accepted item must carry.
std::string_view expected_event(const boost::json::object& o) {
  const boost::json::value* e = o.if_contains("event");
  if (e == nullptr || e->get_string() == "message") return {};
  return e->get_string();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  namespace json = boost::json;
  std::string_view text(reinterpret_cast<const char*>(bytes), size);
  boost::system::error_code ec;
  json::value dom = json::parse(text, ec);
  auto one = herald::protocol::parse_publish_body(text, any_channel);
  auto batch = herald::protocol::parse_batch_body(text, any_channel, 8);
  if (ec == json::error::too_deep) {
    check(one.error == "JSON body nested deeper than 32 levels");
    check(batch.error == one.error);
    return 0;
  }
  if (ec) {
    check(one.error == "malformed JSON body");
    check(batch.error == one.error);
    return 0;
  }
  check(one.error != "malformed JSON body" && batch.error != "malformed JSON body");
  check(one.error.find("deeper") == std::string::npos);
  check(batch.error.find("deeper") == std::string::npos);
  if (!dom.is_object()) {
    check(one.error == "body must be a JSON object" && batch.error == one.error);
    return 0;
  }
  const json::object& obj = dom.get_object();
  const json::value* channel = obj.if_contains("channel");
  const json::value* data = obj.if_contains("data");
  bool expect_ok = channel != nullptr && channel->is_string() &&
                   any_channel(channel->get_string()) && data != nullptr && event_ok(obj);
  check(one.ok() == expect_ok);
  if (one.ok()) {
    check(one.items.size() == 1 && one.items[0].channel == channel->get_string());
    check(json::parse(one.items[0].data) == *data);
    check(one.items[0].event == expected_event(obj));
  }
  const json::value* pubs = obj.if_contains("publications");
  bool batch_ok = pubs != nullptr && pubs->is_array() && pubs->get_array().size() <= 8;
  if (batch_ok) {
    for (const json::value& p : pubs->get_array()) {
      const json::object* o = p.if_object();
      const json::value* c = o ? o->if_contains("channel") : nullptr;
      batch_ok = batch_ok && c != nullptr && c->is_string() && any_channel(c->get_string()) &&
                 o->contains("data") && event_ok(*o);
    }
  }
  check(batch.ok() == batch_ok);
  if (batch.ok()) {
    check(pubs != nullptr && pubs->is_array() && pubs->get_array().size() == batch.items.size());
    for (std::size_t i = 0; i < batch.items.size(); ++i) {
      const json::object& p = pubs->get_array()[i].get_object();
      check(p.at("channel").get_string() == batch.items[i].channel);
      check(json::parse(batch.items[i].data) == p.at("data"));
      check(batch.items[i].event == expected_event(p));
    }
  }
  return 0;
}
