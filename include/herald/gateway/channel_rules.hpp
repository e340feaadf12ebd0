// ChannelRules: who may subscribe to, publish on and see presence of which channel
// (protocol.md section 5), and channel-name validation (section 1).
//
// Rules are tried in order; the first whose glob matches the channel decides.
// Keys left out of a rule take the defaults for unmatched channels:
//   subscribe = any (anyone allowed to connect), publish = none, presence = same as
//   subscribe, history_size = the server default.
// `user:<id>` channels are private whatever the rules say: only user <id> may
// subscribe. Reserved prefixes `$` and `herald:` are never client-accessible, except
// that an admin console session (Identity::admin) may subscribe to `herald:admin:...`.
// Sans-io; cost per check: O(rules x glob length).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace herald::gateway {

/// Who is asking: empty user for anonymous connections.
struct Identity {
  std::string user;
  std::vector<std::string> roles;
  std::vector<std::string> channels;  ///< JWT `channels` claim: extra allowed globs
  /// JWT `exp` of the token behind this identity (seconds since the epoch); 0 = no
  /// expiry (auth off). Live connections are closed (4001) when it passes.
  std::int64_t expires_at = 0;
  /// An admin console session (never set from a JWT: only the gateway's admin login
  /// sets it). The one identity that may subscribe to the internal `herald:admin:` channels.
  bool admin = false;
};

struct ChannelRule {
  std::string match;  ///< shell-style glob; `*` matches any characters, `:` included
  /// Each list holds terms: any | authenticated | role:<r> | none. nullopt = default.
  std::optional<std::vector<std::string>> subscribe;
  std::optional<std::vector<std::string>> publish;
  std::optional<std::vector<std::string>> presence;
  std::optional<std::size_t> history_size;  ///< 0 disables history
};

/// The prefix of the admin console's internal channels (`herald:admin:stats:<node>`).
inline constexpr std::string_view admin_channel_prefix = "herald:admin:";

/// 1-255 bytes of [A-Za-z0-9_:.@/-].
bool valid_channel_name(std::string_view name) noexcept;
/// Shell-style glob: `*` any run of characters, `?` one character, `[abc]` a set.
bool glob_match(std::string_view pattern, std::string_view text) noexcept;

class ChannelRules {
 public:
  ChannelRules() = default;
  /// Fails with a message naming the bad rule (index and key) on an unknown term or
  /// an empty glob.
  static std::optional<std::string> validate(const std::vector<ChannelRule>& rules);
  explicit ChannelRules(std::vector<ChannelRule> rules, std::size_t default_history_size)
      : rules_(std::move(rules)), default_history_size_(default_history_size) {}

  bool can_subscribe(std::string_view channel, const Identity& who) const;
  bool can_publish(std::string_view channel, const Identity& who) const;
  bool can_presence(std::string_view channel, const Identity& who) const;
  /// The rule's or the default size; always 0 for `herald:admin:` channels.
  std::size_t history_size(std::string_view channel) const;

 private:
  const ChannelRule* find(std::string_view channel) const;
  std::vector<ChannelRule> rules_;
  std::size_t default_history_size_ = 100;
};

}  // namespace herald::gateway
