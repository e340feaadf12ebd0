// ChannelRules: each term, first match wins, defaults for unmatched channels and
// omitted keys, user:<id> privacy, reserved prefixes, the JWT channels grant,
// history sizes and rule validation (protocol.md sections 1, 5 and 6).
#include <herald/gateway/channel_rules.hpp>

#include <gtest/gtest.h>

namespace herald::gateway {
namespace {

using Terms = std::vector<std::string>;

const Identity anonymous{};
const Identity alice{"alice", {}, {}};
const Identity admin{"root", {"admin"}, {}};

ChannelRule rule(std::string match, std::optional<Terms> subscribe = std::nullopt,
                 std::optional<Terms> publish = std::nullopt,
                 std::optional<Terms> presence = std::nullopt,
                 std::optional<std::size_t> history = std::nullopt) {
  return {std::move(match), std::move(subscribe), std::move(publish), std::move(presence), history};
}

TEST(ChannelRules, UnmatchedDefaults) {
  ChannelRules rules;
  EXPECT_TRUE(rules.can_subscribe("products", anonymous));
  EXPECT_TRUE(rules.can_subscribe("products", alice));
  EXPECT_FALSE(rules.can_publish("products", alice));
  EXPECT_FALSE(rules.can_publish("products", admin));
  EXPECT_TRUE(rules.can_presence("products", anonymous));
  EXPECT_EQ(rules.history_size("products"), 100u);
  EXPECT_EQ(ChannelRules({}, 7).history_size("products"), 7u);
}

TEST(ChannelRules, EachTerm) {
  ChannelRules rules({rule("any", Terms{"any"}, Terms{"any"}),
                      rule("auth", Terms{"authenticated"}, Terms{"authenticated"}),
                      rule("admin", Terms{"role:admin"}, Terms{"role:admin"}),
                      rule("closed", Terms{"none"}, Terms{"none"})},
                     100);
  EXPECT_TRUE(rules.can_subscribe("any", anonymous));
  EXPECT_TRUE(rules.can_publish("any", anonymous));
  EXPECT_FALSE(rules.can_subscribe("auth", anonymous));
  EXPECT_TRUE(rules.can_subscribe("auth", alice));
  EXPECT_TRUE(rules.can_publish("auth", alice));
  EXPECT_FALSE(rules.can_subscribe("admin", alice));
  EXPECT_TRUE(rules.can_subscribe("admin", admin));
  EXPECT_TRUE(rules.can_publish("admin", admin));
  EXPECT_FALSE(rules.can_subscribe("closed", admin));
  EXPECT_FALSE(rules.can_publish("closed", admin));
}

TEST(ChannelRules, TermListIsAnyOf) {
  ChannelRules rules({rule("ops", Terms{"role:ops", "role:admin"})}, 100);
  EXPECT_TRUE(rules.can_subscribe("ops", admin));
  EXPECT_TRUE(rules.can_subscribe("ops", Identity{"o", {"ops"}, {}}));
  EXPECT_FALSE(rules.can_subscribe("ops", alice));
  ChannelRules empty({rule("x", Terms{})}, 100);
  EXPECT_FALSE(empty.can_subscribe("x", admin));  // an empty list admits nobody
}

TEST(ChannelRules, FirstMatchWins) {
  ChannelRules rules({rule("chat:vip", Terms{"role:admin"}), rule("chat:*", Terms{"any"}),
                      rule("*", Terms{"none"})},
                     100);
  EXPECT_FALSE(rules.can_subscribe("chat:vip", alice));
  EXPECT_TRUE(rules.can_subscribe("chat:vip", admin));
  EXPECT_TRUE(rules.can_subscribe("chat:lobby", alice));
  EXPECT_FALSE(rules.can_subscribe("news", admin));
}

TEST(ChannelRules, OmittedKeysTakeUnmatchedDefaults) {
  // Only history_size given: subscribe any, publish none, presence = subscribe.
  ChannelRules rules({rule("quiet:*", std::nullopt, std::nullopt, std::nullopt, 0)}, 100);
  EXPECT_TRUE(rules.can_subscribe("quiet:1", anonymous));
  EXPECT_FALSE(rules.can_publish("quiet:1", admin));
  EXPECT_TRUE(rules.can_presence("quiet:1", anonymous));
  EXPECT_EQ(rules.history_size("quiet:1"), 0u);
  EXPECT_EQ(rules.history_size("loud"), 100u);
}

TEST(ChannelRules, HistorySizeFromFirstMatchingRuleOrDefault) {
  ChannelRules rules(
      {rule("a:*", Terms{"any"}), rule("a:*", std::nullopt, std::nullopt, std::nullopt, 5)}, 50);
  // The first rule matches and has no history_size: the default, not the second rule.
  EXPECT_EQ(rules.history_size("a:1"), 50u);
  ChannelRules sized({rule("big", std::nullopt, std::nullopt, std::nullopt, 1000)}, 50);
  EXPECT_EQ(sized.history_size("big"), 1000u);
}

TEST(ChannelRules, PresenceDefaultsToSubscribers) {
  ChannelRules rules({rule("admin", Terms{"role:admin"}),
                      rule("lobby", Terms{"any"}, std::nullopt, Terms{"authenticated"})},
                     100);
  EXPECT_FALSE(rules.can_presence("admin", alice));
  EXPECT_TRUE(rules.can_presence("admin", admin));
  EXPECT_FALSE(rules.can_presence("lobby", anonymous));  // explicit presence rule
  EXPECT_TRUE(rules.can_presence("lobby", alice));
}

TEST(ChannelRules, UserChannelsArePrivateWhateverTheRules) {
  ChannelRules rules({rule("user:*", Terms{"any"}, Terms{"any"}, Terms{"any"})}, 100);
  EXPECT_TRUE(rules.can_subscribe("user:alice", alice));
  EXPECT_FALSE(rules.can_subscribe("user:alice", admin));
  EXPECT_FALSE(rules.can_subscribe("user:alice", anonymous));
  EXPECT_FALSE(rules.can_subscribe("user:", anonymous));  // nobody owns `user:`
  EXPECT_TRUE(rules.can_presence("user:alice", alice));
  EXPECT_FALSE(rules.can_presence("user:alice", admin));
  // The id is the whole rest of the name: no prefix match.
  EXPECT_FALSE(rules.can_subscribe("user:alice:inbox", alice));
  EXPECT_TRUE(rules.can_subscribe("user:alice:inbox", Identity{"alice:inbox", {}, {}}));
  // Publishing is up to the rules (here: anyone), as for any other channel.
  EXPECT_TRUE(rules.can_publish("user:alice", admin));

  ChannelRules closed({rule("user:*", Terms{"none"}, std::nullopt, Terms{"none"})}, 100);
  EXPECT_TRUE(closed.can_subscribe("user:alice", alice));  // rules cannot lock out the owner
  EXPECT_FALSE(closed.can_presence("user:alice", alice));  // but can narrow presence
  EXPECT_FALSE(ChannelRules().can_publish("user:alice", alice));
}

TEST(ChannelRules, ReservedPrefixesAreNeverClientAccessible) {
  ChannelRules rules({rule("*", Terms{"any"}, Terms{"any"}, Terms{"any"})}, 100);
  Identity granted{"root", {"admin"}, {"*"}};
  for (std::string ch : {"$sys", "$", "herald:ingest", "herald:"}) {
    EXPECT_FALSE(rules.can_subscribe(ch, granted)) << ch;
    EXPECT_FALSE(rules.can_publish(ch, granted)) << ch;
    EXPECT_FALSE(rules.can_presence(ch, granted)) << ch;
  }
  EXPECT_TRUE(rules.can_subscribe("heraldx", granted));
}

TEST(ChannelRules, TagChannelsAreSubscribableButNotPublishable) {
  ChannelRules rules({rule("*", std::nullopt, Terms{"any"})}, 100);
  EXPECT_TRUE(rules.can_subscribe("tag:products", anonymous));
  EXPECT_FALSE(rules.can_publish("tag:products", admin));
  EXPECT_TRUE(rules.can_publish("products", admin));
}

TEST(ChannelRules, InvalidNamesAreDenied) {
  ChannelRules rules;
  for (std::string ch : std::vector<std::string>{"", "a b", std::string(256, 'x'), "a*"}) {
    EXPECT_FALSE(rules.can_subscribe(ch, admin)) << ch;
    EXPECT_FALSE(rules.can_presence(ch, admin)) << ch;
    EXPECT_FALSE(rules.can_publish(ch, admin)) << ch;
  }
}

TEST(ChannelRules, JwtChannelsGrantSubscribe) {
  ChannelRules rules({rule("secret:*", Terms{"none"}, Terms{"none"})}, 100);
  Identity granted{"bob", {}, {"secret:bob-*", "other"}};
  EXPECT_TRUE(rules.can_subscribe("secret:bob-1", granted));
  EXPECT_TRUE(rules.can_presence("secret:bob-1", granted));  // presence follows subscribe
  EXPECT_FALSE(rules.can_subscribe("secret:carol", granted));
  EXPECT_FALSE(rules.can_publish("secret:bob-1", granted));  // never a publish grant
  EXPECT_TRUE(rules.can_subscribe("other", granted));
}

TEST(ChannelRules, JwtChannelsGrantNeverOpensPrivateOrReserved) {
  ChannelRules rules;
  Identity greedy{"bob", {}, {"*", "user:*", "herald:*"}};
  EXPECT_FALSE(rules.can_subscribe("user:alice", greedy));
  EXPECT_FALSE(rules.can_presence("user:alice", greedy));
  EXPECT_FALSE(rules.can_subscribe("herald:ingest", greedy));
  EXPECT_TRUE(rules.can_subscribe("user:bob", greedy));
}

TEST(ChannelRules, ExplicitPresenceRuleBeatsGrant) {
  ChannelRules rules({rule("room:*", Terms{"none"}, std::nullopt, Terms{"role:admin"})}, 100);
  Identity granted{"bob", {}, {"room:*"}};
  EXPECT_TRUE(rules.can_subscribe("room:1", granted));
  EXPECT_FALSE(rules.can_presence("room:1", granted));
}

TEST(ChannelRulesValidate, AcceptsGoodRules) {
  EXPECT_FALSE(ChannelRules::validate({}));
  EXPECT_FALSE(ChannelRules::validate(
      {rule("admin", Terms{"role:admin"}, Terms{"none"}, Terms{"authenticated"}, 100),
       rule("chat:[a-z]?*", Terms{"any", "role:x"}), rule("*")}));
}

TEST(ChannelRulesValidate, NamesTheBadRuleAndKey) {
  auto e = ChannelRules::validate({rule("ok"), rule("admin", Terms{"rol:admin"})});
  ASSERT_TRUE(e);
  EXPECT_NE(e->find("#2"), std::string::npos) << *e;
  EXPECT_NE(e->find("subscribe"), std::string::npos) << *e;
  EXPECT_NE(e->find("rol:admin"), std::string::npos) << *e;

  e = ChannelRules::validate({rule("x", std::nullopt, Terms{"everyone"})});
  ASSERT_TRUE(e);
  EXPECT_NE(e->find("publish"), std::string::npos) << *e;
  e = ChannelRules::validate({rule("x", std::nullopt, std::nullopt, Terms{"role:"})});
  ASSERT_TRUE(e);
  EXPECT_NE(e->find("presence"), std::string::npos) << *e;
  e = ChannelRules::validate({rule("x", Terms{"none", "any"})});
  ASSERT_TRUE(e);
  EXPECT_NE(e->find("none"), std::string::npos) << *e;
}

TEST(ChannelRulesValidate, RejectsGlobsThatCannotMatch) {
  for (std::string glob : {"", "a b", "chat:[a-z", "room#1", "[", "x]"}) {
    auto e = ChannelRules::validate({rule(glob)});
    ASSERT_TRUE(e) << glob;
    EXPECT_NE(e->find("#1"), std::string::npos) << *e;
    EXPECT_NE(e->find("match"), std::string::npos) << *e;
  }
}

}  // namespace
}  // namespace herald::gateway

namespace herald::gateway {
namespace {

// The admin console's channels: only an admin session subscribes, nobody publishes
// or sees presence, whatever the rules or JWT grants say; an admin session subscribes
// to nothing else; no history.
TEST(ChannelRules, AdminChannels) {
  ChannelRules rules({rule("*", Terms{"any"}, Terms{"any"}, Terms{"any"})}, 100);
  Identity console;
  console.user = "admin:password";
  console.admin = true;
  Identity granted{"bob", {"admin"}, {"*", "herald:admin:*"}};
  EXPECT_TRUE(rules.can_subscribe("herald:admin:stats:node1", console));
  EXPECT_FALSE(rules.can_subscribe("herald:admin:stats:node1", granted));
  EXPECT_FALSE(rules.can_subscribe("herald:admin:stats:node1", anonymous));
  EXPECT_FALSE(rules.can_subscribe("herald:admin:stats:node1", admin));
  EXPECT_FALSE(rules.can_publish("herald:admin:stats:node1", console));
  EXPECT_FALSE(rules.can_presence("herald:admin:stats:node1", console));
  EXPECT_FALSE(rules.can_subscribe("products", console));
  EXPECT_FALSE(rules.can_subscribe("$other", console));
  EXPECT_FALSE(rules.can_subscribe("herald:admin:bad name", console));
  EXPECT_EQ(rules.history_size("herald:admin:stats:node1"), 0u);
}

}  // namespace
}  // namespace herald::gateway
