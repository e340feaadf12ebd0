// TOML configuration layer (contract in toml_config.hpp), on toml++.
//
// Values are converted to the same text a flag would carry and go through the
// setting's own parser, so a file, a variable and a flag are checked identically.
// TOML types are still enforced first: `history_size = "100"` is an error, not a
// silently accepted string.
#include "toml_config.hpp"

#include "setting.hpp"
#include "toml_guard.hpp"

#include "proxy/core/route_table.hpp"

#if defined(TOML_HEADER_ONLY) && TOML_HEADER_ONLY
// Fuzz build only (toml++ compiled in): drop toml++'s asserts, as in Debian's shipped
// library (GCC + NDEBUG). 3.3.0 asserts a parser precondition that malformed table
// headers such as "[:" break (fixed upstream by marzer/tomlplusplus#301); release
// builds report a normal parse_error for them, which is the behaviour to fuzz.
#define TOML_ASSERT(expr) static_assert(true)
#endif
#include <toml++/toml.h>

#include <charconv>
#include <filesystem>

namespace herald::app::detail {
namespace {

std::string_view type_name(toml::node_type t) {
  switch (t) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::table:
      return "a table";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

// A located failure: "<source>:<line>: <key>: <why>".
ConfigError located(std::string_view source, const toml::node& node, std::string_view key,
                    std::string_view why) {
  return {2, std::string(source) + ":" + std::to_string(node.source().begin.line) + ": " +
                 std::string(key) + ": " + std::string(why)};
}

// The text a flag would carry for `node`, or why the TOML type is wrong.
std::optional<std::string> as_text(const toml::node& node, TomlKind kind, std::string& why) {
  if (kind == TomlKind::string || kind == TomlKind::string_list) {
    if (const auto* s = node.as_string()) return s->get();
  }
  if (kind == TomlKind::integer || kind == TomlKind::number) {
    if (const auto* i = node.as_integer()) return std::to_string(i->get());
  }
  if (kind == TomlKind::number) {
    if (const auto* f = node.as_floating_point()) {
      char buf[512];  // fixed notation of any finite double fits in 330 characters
      auto [end, ec] = std::to_chars(buf, buf + sizeof buf, f->get(), std::chars_format::fixed);
      if (ec == std::errc{}) return std::string(buf, end);
    }
  }
  if (kind == TomlKind::string_list) {
    if (const auto* arr = node.as_array()) {
      std::string joined;
      for (const auto& item : *arr) {
        const auto* s = item.as_string();
        if (s == nullptr) break;
        joined += joined.empty() ? "" : ",";
        joined += s->get();
      }
      if (arr->is_homogeneous(toml::node_type::string) || arr->empty()) return joined;
    }
  }
  static constexpr std::string_view wanted[] = {"a string", "an integer", "a number",
                                                "an array of strings"};
  why = "expected " + std::string(wanted[static_cast<int>(kind)]) + ", got " +
        std::string(type_name(node.type()));
  return std::nullopt;
}

// `subscribe = ["role:admin"]` or, as a convenience, `subscribe = "role:admin"`.
std::optional<std::vector<std::string>> as_terms(const toml::node& node) {
  if (const auto* s = node.as_string()) return std::vector<std::string>{s->get()};
  const auto* arr = node.as_array();
  if (arr == nullptr) return std::nullopt;
  std::vector<std::string> terms;
  for (const auto& item : *arr) {
    const auto* s = item.as_string();
    if (s == nullptr) return std::nullopt;
    terms.push_back(s->get());
  }
  return terms;
}

std::optional<ConfigError> read_channels(const toml::node& node, std::string_view source,
                                         std::vector<gateway::ChannelRule>& out) {
  const auto* arr = node.as_array();
  if (arr == nullptr) return located(source, node, "channel", "expected [[channel]] tables");
  std::vector<gateway::ChannelRule> rules;
  for (std::size_t i = 0; i < arr->size(); ++i) {
    const auto* table = (*arr)[i].as_table();
    if (table == nullptr) return located(source, node, "channel", "expected [[channel]] tables");
    std::string where = "[[channel]] #" + std::to_string(i + 1) + ": ";
    gateway::ChannelRule rule;
    bool has_match = false;
    for (auto&& [k, v] : *table) {
      std::string_view key = k.str();
      std::optional<std::vector<std::string>>* terms = key == "subscribe"  ? &rule.subscribe
                                                       : key == "publish"  ? &rule.publish
                                                       : key == "presence" ? &rule.presence
                                                                           : nullptr;
      if (key == "match") {
        const auto* s = v.as_string();
        if (s == nullptr) {
          return located(source, v, where + "match",
                         "expected a string, got " + std::string(type_name(v.type())));
        }
        rule.match = s->get();
        has_match = true;
      } else if (terms != nullptr) {
        *terms = as_terms(v);
        if (!*terms) {
          return located(source, v, where + std::string(key), "expected an array of strings");
        }
      } else if (key == "history_size") {
        const auto* n = v.as_integer();
        if (n == nullptr || n->get() < 0) {
          return located(source, v, where + "history_size", "expected an integer >= 0");
        }
        rule.history_size = static_cast<std::size_t>(n->get());
      } else {
        return located(source, v, where + printable(key),
                       "unknown key (expected match, subscribe, publish, presence, "
                       "history_size)");
      }
    }
    if (!has_match) return located(source, (*arr)[i], where + "match", "missing");
    rules.push_back(std::move(rule));
  }
  if (auto e = gateway::ChannelRules::validate(rules)) {
    return ConfigError{2, std::string(source) + ": " + *e};
  }
  out = std::move(rules);
  return std::nullopt;
}

std::optional<ConfigError> read_routes(const toml::node& node, std::string_view source,
                                       std::vector<proxy::RouteRule>& out) {
  const auto* arr = node.as_array();
  if (arr == nullptr) return located(source, node, "route", "expected [[route]] tables");
  std::vector<proxy::RouteRule> rules;
  for (std::size_t i = 0; i < arr->size(); ++i) {
    const auto* table = (*arr)[i].as_table();
    if (table == nullptr) return located(source, node, "route", "expected [[route]] tables");
    std::string where = "[[route]] #" + std::to_string(i + 1) + ": ";
    proxy::RouteRule rule;
    bool has_match = false;
    for (auto&& [k, v] : *table) {
      std::string_view key = k.str();
      std::vector<std::string>* list = key == "methods"        ? &rule.methods
                                       : key == "tags"         ? &rule.tags
                                       : key == "invalidate"   ? &rule.invalidate
                                       : key == "ignore_query" ? &rule.ignore_query
                                       : key == "key_cookies"  ? &rule.key_cookies
                                                               : nullptr;
      if (key == "match") {
        const auto* str = v.as_string();
        if (str == nullptr) return located(source, v, where + "match", "expected a string");
        rule.match = str->get();
        has_match = true;
      } else if (list != nullptr) {
        auto terms = as_terms(v);
        if (!terms)
          return located(source, v, where + std::string(key), "expected an array of strings");
        *list = std::move(*terms);
      } else if (key == "ttl" || key == "negative_ttl" || key == "grace") {
        const auto* n = v.as_integer();
        if (n == nullptr || n->get() < 1 || n->get() > 1'000'000'000)
          return located(source, v, where + std::string(key), "expected seconds, 1 to 10^9");
        (key == "ttl"            ? rule.ttl
         : key == "negative_ttl" ? rule.negative_ttl
                                 : rule.grace) = std::chrono::seconds{n->get()};
      } else if (key == "cache" || key == "key_authorization" || key == "strip_set_cookie") {
        const auto* b = v.as_boolean();
        if (b == nullptr)
          return located(source, v, where + std::string(key), "expected true or false");
        (key == "cache"               ? rule.cache
         : key == "key_authorization" ? rule.key_authorization
                                      : rule.strip_set_cookie) = b->get();
      } else {
        return located(
            source, v, where + printable(key),
            "unknown key (expected match, methods, ttl, negative_ttl, grace, cache, tags, "
            "invalidate, ignore_query)");
      }
    }
    if (!has_match) return located(source, (*arr)[i], where + "match", "missing");
    rules.push_back(std::move(rule));
  }
  if (auto e = proxy::RouteTable::validate(rules))
    return ConfigError{2, std::string(source) + ": " + *e};
  out = std::move(rules);
  return std::nullopt;
}

/// One setting from its TOML node; `key` is how the file names it (for errors and
/// the origin of the value).
std::optional<ConfigError> apply_setting(const Setting& setting, const toml::node& node,
                                         std::string_view source, std::string_view key,
                                         ConfigDraft& draft) {
  std::string why;
  auto value = as_text(node, setting.kind, why);
  if (!value) return located(source, node, key, why);
  if (auto problem = setting.apply(*value, draft)) return located(source, node, key, *problem);
  if (setting.key == "jwt_public_key" && !draft.jwt_public_key_path.empty()) {
    std::filesystem::path path(draft.jwt_public_key_path);
    if (path.is_relative()) {
      draft.jwt_public_key_path = (std::filesystem::path(source).parent_path() / path).string();
    }
  }
  draft.origin[std::string(setting.key)] = std::string(source) + ":" +
                                           std::to_string(node.source().begin.line) + ": " +
                                           std::string(key);
  return std::nullopt;
}

}  // namespace

std::optional<ConfigError> apply_toml_config(std::string_view text, std::string_view source,
                                             ConfigDraft& draft) {
  if (auto hazard = find_toml_hazard(text)) {
    return ConfigError{2, std::string(source) + ":" + std::to_string(hazard->line) +
                              ": invalid TOML: " + hazard->what};
  }
  try {
    toml::table doc = toml::parse(text, source);
    for (auto&& [k, node] : doc) {
      std::string_view key = k.str();
      if (key == "channel") {
        if (auto e = read_channels(node, source, draft.config.channels)) return e;
        continue;
      }
      if (key == "route") {
        if (auto e = read_routes(node, source, draft.config.routes)) return e;
        continue;
      }
      if (key == "upstream" && node.is_table()) {
        // [upstream] url = ..., timeout = ..., connect_timeout = ...: the upstream_*
        // settings of the table (url is `upstream` itself).
        for (auto&& [sub, value] : *node.as_table()) {
          const std::string name =
              sub.str() == "url" ? std::string("upstream") : "upstream_" + std::string(sub.str());
          const Setting* setting = setting_for_key(name);
          if (setting == nullptr)
            return located(source, value, "[upstream] " + detail::printable(sub.str()),
                           "unknown key (expected url, timeout, connect_timeout)");
          if (auto e = apply_setting(*setting, value, source, name, draft)) return e;
        }
        continue;
      }
      const Setting* setting = setting_for_key(key);
      if (setting == nullptr) {
        std::string why = "unknown key";
        std::string underscored(key);
        for (char& c : underscored) c = c == '-' ? '_' : c;
        if (setting_for_key(underscored) != nullptr) why += " (did you mean " + underscored + "?)";
        return located(source, node, detail::printable(key), why);
      }
      if (auto e = apply_setting(*setting, node, source, key, draft)) return e;
    }
  } catch (const toml::parse_error& e) {
    const auto& at = e.source().begin;
    return ConfigError{2, std::string(source) + ":" + std::to_string(at.line) + ":" +
                              std::to_string(at.column) +
                              ": invalid TOML: " + std::string(e.description())};
  } catch (const std::exception& e) {
    return ConfigError{2, std::string(source) + ": " + e.what()};
  }
  return std::nullopt;
}

}  // namespace herald::app::detail
