// ChannelRules: per-channel permission checks (protocol.md section 5) on top of the
// fixed, rule-independent policy for reserved channel prefixes:
//   `$...`, `herald:...`  internal: no client may subscribe, publish or see presence;
//                         `herald:admin:...` only an admin console session may subscribe;
//   `user:<id>`           only user <id> may subscribe or see presence (rules and JWT
//                         grants can narrow presence, never widen either); <id> is the
//                         whole rest of the name, so `user:42:inbox` belongs to user
//                         "42:inbox", not to "42" (a prefix match would leak it);
//   `tag:<tag>`           the server's invalidation feed: no client publish.
// The JWT `channels` claim grants subscribe (and so default presence) on matching
// channels that the rules would refuse; it never grants publish.
// Every check fails closed: an invalid name or an unknown term denies.
#include <herald/gateway/channel_rules.hpp>
#include <herald/protocol/invalidation.hpp>

#include <algorithm>

namespace herald::gateway {
namespace {

constexpr std::string_view user_prefix = "user:";

bool reserved(std::string_view channel) noexcept {
  return channel.starts_with('$') || channel.starts_with("herald:");
}

// A name a client may use at all: valid and not internal.
bool client_accessible(std::string_view channel) noexcept {
  return valid_channel_name(channel) && !reserved(channel);
}

// For `user:<id>` the owner id (possibly empty: nobody owns `user:`), else nullopt.
std::optional<std::string_view> user_channel_owner(std::string_view channel) noexcept {
  if (!channel.starts_with(user_prefix)) return std::nullopt;
  return channel.substr(user_prefix.size());
}

bool owns(std::string_view owner, const Identity& who) noexcept {
  return !owner.empty() && who.user == owner;
}

// True when one of `terms` admits `who`. Cost: O(terms x roles).
bool admits(const std::vector<std::string>& terms, const Identity& who) {
  for (const auto& term : terms) {
    if (term == "any") return true;
    if (term == "authenticated" && !who.user.empty()) return true;
    if (term.starts_with("role:")) {
      std::string_view role = std::string_view(term).substr(5);
      if (!role.empty() && std::find(who.roles.begin(), who.roles.end(), role) != who.roles.end()) {
        return true;
      }
    }
  }
  return false;  // "none", an empty list, or terms that do not fit
}

bool granted(std::string_view channel, const Identity& who) noexcept {
  return std::any_of(who.channels.begin(), who.channels.end(),
                     [&](const std::string& glob) { return glob_match(glob, channel); });
}

// True when `term` is one of the four forms (a role needs a name).
bool known_term(std::string_view term) noexcept {
  if (term == "any" || term == "authenticated" || term == "none") return true;
  return term.starts_with("role:") && term.size() > 5;
}

// Why `glob` can never match a valid channel name, or empty when it can.
std::string glob_problem(std::string_view glob) {
  if (glob.empty()) return "empty glob";
  for (std::size_t i = 0; i < glob.size(); ++i) {
    char c = glob[i];
    if (c == '*' || c == '?') continue;
    if (c == '[') {
      // Skip a leading negation and a first member that may be ']', then find ']'.
      std::size_t j = i + 1;
      if (j < glob.size() && (glob[j] == '!' || glob[j] == '^')) ++j;
      auto close = glob.find(']', j + 1);
      if (j >= glob.size() || close == std::string_view::npos) return "unterminated [ set";
      i = close;
      continue;
    }
    if (!valid_channel_name(glob.substr(i, 1))) {
      return "character '" + std::string(1, c) + "' cannot occur in a channel name";
    }
  }
  return {};
}

std::optional<std::string> check_terms(const std::optional<std::vector<std::string>>& terms,
                                       const char* key, const std::string& where) {
  if (!terms) return std::nullopt;
  for (const auto& term : *terms) {
    if (!known_term(term)) {
      std::string message = where + key;
      message += ": unknown term \"";
      message += term;
      message += "\" (expected any, authenticated, role:<name> or none)";
      return message;
    }
    if (term == "none" && terms->size() > 1) {
      return where + key + ": \"none\" cannot be combined with other terms";
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> ChannelRules::validate(const std::vector<ChannelRule>& rules) {
  for (std::size_t i = 0; i < rules.size(); ++i) {
    const ChannelRule& rule = rules[i];
    std::string where = "[[channel]] #" + std::to_string(i + 1);
    if (auto problem = glob_problem(rule.match); !problem.empty()) {
      std::string message = where + ": match \"";
      message += rule.match;
      message += "\": ";
      message += problem;
      return message;
    }
    where += " (match \"" + rule.match + "\"): ";
    if (auto e = check_terms(rule.subscribe, "subscribe", where)) return e;
    if (auto e = check_terms(rule.publish, "publish", where)) return e;
    if (auto e = check_terms(rule.presence, "presence", where)) return e;
  }
  return std::nullopt;
}

const ChannelRule* ChannelRules::find(std::string_view channel) const {
  for (const auto& rule : rules_) {
    if (glob_match(rule.match, channel)) return &rule;
  }
  return nullptr;
}

bool ChannelRules::can_subscribe(std::string_view channel, const Identity& who) const {
  if (channel.starts_with(admin_channel_prefix)) return who.admin && valid_channel_name(channel);
  if (who.admin) return false;  // an admin session sees its own channels, nothing else
  if (!client_accessible(channel)) return false;
  if (auto owner = user_channel_owner(channel)) return owns(*owner, who);
  if (granted(channel, who)) return true;
  const ChannelRule* rule = find(channel);
  if (rule != nullptr && rule->subscribe) return admits(*rule->subscribe, who);
  return true;  // unmatched: anyone allowed to connect
}

bool ChannelRules::can_publish(std::string_view channel, const Identity& who) const {
  if (!client_accessible(channel) || protocol::is_tag_channel(channel)) return false;
  const ChannelRule* rule = find(channel);
  if (rule != nullptr && rule->publish) return admits(*rule->publish, who);
  return false;  // unmatched: publishing goes through the server API
}

bool ChannelRules::can_presence(std::string_view channel, const Identity& who) const {
  if (!client_accessible(channel)) return false;
  auto owner = user_channel_owner(channel);
  if (owner && !owns(*owner, who)) return false;
  const ChannelRule* rule = find(channel);
  if (rule != nullptr && rule->presence) return admits(*rule->presence, who);
  return can_subscribe(channel, who);  // presence defaults to whoever may subscribe
}

std::size_t ChannelRules::history_size(std::string_view channel) const {
  if (channel.starts_with(admin_channel_prefix)) return 0;  // live figures: nothing to replay
  const ChannelRule* rule = find(channel);
  if (rule != nullptr && rule->history_size) return *rule->history_size;
  return default_history_size_;
}

}  // namespace herald::gateway
