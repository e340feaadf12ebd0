// parse_publish_body() / parse_batch_body(): JsonScanner walks the expected shape;
// every other value is validated and skipped. Field errors are only reported once
// the whole body proved valid JSON (a malformed body is "malformed", whatever else).
#include <herald/protocol/publish_body.hpp>

#include "protocol/json_scanner.hpp"

#include <optional>

namespace herald::protocol {
namespace {

using Error = JsonScanner::Error;

// Walks the object at the cursor (`depth` = its own nesting level); on_member(key)
// must consume the member's value.
template <typename OnMember>
bool walk_object(JsonScanner& sc, int depth, OnMember&& on_member) {
  if (depth > JsonScanner::max_depth) return sc.fail(Error::too_deep);
  if (!sc.accept('{')) return sc.fail();
  if (sc.accept('}')) return true;
  std::string key;
  while (true) {
    if (!sc.string(key)) return false;
    if (!sc.accept(':')) return sc.fail();
    if (!on_member(key)) return false;
    if (sc.accept(',')) continue;
    if (sc.accept('}')) return true;
    return sc.fail();
  }
}

// The members of one publication object, last duplicate winning.
struct Fields {
  std::optional<std::string> channel;  // nullopt: absent or not a string
  std::optional<std::string_view> data;
  bool has_event = false;
  std::optional<std::string> event;  // nullopt: not a string (when has_event)
};

bool read_fields(JsonScanner& sc, int depth, Fields& f) {
  return walk_object(sc, depth, [&](const std::string& key) {
    if (key == "channel") {
      if (sc.peek() == '"') {
        std::string c;
        if (!sc.string(c)) return false;
        f.channel = std::move(c);
        return true;
      }
      f.channel.reset();
      return sc.value(depth).has_value();
    }
    if (key == "event") {
      f.has_event = true;
      if (sc.peek() == '"') {
        std::string e;
        if (!sc.string(e)) return false;
        f.event = std::move(e);
        return true;
      }
      f.event.reset();
      return sc.value(depth).has_value();
    }
    auto v = sc.value(depth);
    if (!v) return false;
    if (key == "data") f.data = *v;
    return true;
  });
}

// The 400 message for a publication's fields ("" when they are fine).
std::string field_error(const Fields& f, ChannelCheck valid_channel) {
  if (!f.channel) return "field 'channel' must be a string";
  if (!valid_channel(*f.channel)) return "invalid channel name";
  if (!f.data) return "missing field 'data'";
  if (f.has_event) return event_name_error(f.event);
  return {};
}

// An explicit "message" is the default: stored as "" (one form per event).
PublishItem item_of(Fields& f) {
  std::string event;
  if (f.has_event && *f.event != default_event_name) event = std::move(*f.event);
  return {std::move(*f.channel), *f.data, std::move(event)};
}

// The 400 message for a body that is not valid JSON, or whose top level is not an
// object (validated to the end first: a malformed body says so).
std::string syntax_error(JsonScanner& sc) {
  if (sc.error() == Error::too_deep) return "JSON body nested deeper than 32 levels";
  return "malformed JSON body";
}

std::optional<std::string> not_an_object(JsonScanner& sc) {
  if (sc.peek() == '{') return std::nullopt;
  if (sc.value(0) && sc.at_end()) return "body must be a JSON object";
  sc.fail();
  return syntax_error(sc);
}

}  // namespace

bool valid_event_name(std::string_view name) noexcept {
  if (name.empty() || name.size() > max_event_name) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == ':' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool reserved_event_name(std::string_view name) noexcept {
  static constexpr std::string_view reserved[] = {"invalidate",    "error",         "connect",
                                                  "connect_error", "disconnect",    "disconnecting",
                                                  "newListener",   "removeListener"};
  for (std::string_view r : reserved)
    if (name == r) return true;
  return false;
}

std::string event_name_error(std::optional<std::string_view> name) {
  if (!name || !valid_event_name(*name))
    return "field 'event' must be a string of 1-64 characters [A-Za-z0-9_:.-]";
  if (reserved_event_name(*name)) return "field 'event' names a reserved event";
  return {};
}

PublishBody parse_publish_body(std::string_view body, ChannelCheck valid_channel) {
  PublishBody out;
  JsonScanner sc(body);
  if (auto e = not_an_object(sc)) {
    out.error = *e;
    return out;
  }
  Fields f;
  if (!read_fields(sc, 1, f) || !sc.at_end()) {
    sc.fail();
    out.error = syntax_error(sc);
    return out;
  }
  out.error = field_error(f, valid_channel);
  if (out.ok()) out.items.push_back(item_of(f));
  return out;
}

PublishBody parse_batch_body(std::string_view body, ChannelCheck valid_channel,
                             std::size_t max_items) {
  PublishBody out;
  JsonScanner sc(body);
  if (auto e = not_an_object(sc)) {
    out.error = *e;
    return out;
  }
  bool have_array = false;
  std::vector<Fields> items;
  std::optional<std::size_t> not_object;  // first element that is not an object
  bool ok = walk_object(sc, 1, [&](const std::string& key) {
    if (key != "publications") return sc.value(1).has_value();
    items.clear();
    not_object.reset();
    have_array = sc.peek() == '[';
    if (!have_array) return sc.value(1).has_value();
    if (2 > JsonScanner::max_depth) return sc.fail(Error::too_deep);
    sc.accept('[');
    if (sc.accept(']')) return true;
    while (true) {
      Fields f;
      if (sc.peek() == '{') {
        if (!read_fields(sc, 3, f)) return false;
      } else {
        if (!sc.value(2)) return false;
        if (!not_object) not_object = items.size();
      }
      items.push_back(std::move(f));
      if (sc.accept(',')) continue;
      if (sc.accept(']')) return true;
      return sc.fail();
    }
  });
  if (!ok || !sc.at_end()) {
    sc.fail();
    out.error = syntax_error(sc);
    return out;
  }
  if (!have_array) {
    out.error = "field 'publications' must be an array";
    return out;
  }
  if (items.size() > max_items) {
    out.error = "at most " + std::to_string(max_items) + " publications per batch";
    return out;
  }
  for (std::size_t i = 0; i < items.size(); ++i) {
    std::string e = not_object == i ? "must be an object" : field_error(items[i], valid_channel);
    if (!e.empty()) {
      out.error = "publications[" + std::to_string(i) + "]: " + e;
      return out;
    }
  }
  out.items.reserve(items.size());
  for (Fields& f : items) out.items.push_back(item_of(f));
  return out;
}

}  // namespace herald::protocol
