// apply_toml_config(): TOML text straight into a ConfigDraft (no files): keys, types,
// [[channel]] tables, and that every error names the source, line and key.
#include "app/config/toml_config.hpp"

#include "config_test_support.hpp"

namespace herald::app::detail {
namespace {

using test::contains;

// Applies `text` as "h.toml"; the error message, or "" on success.
std::string apply(const std::string& text, ConfigDraft& draft) {
  auto e = apply_toml_config(text, "h.toml", draft);
  if (e) {
    EXPECT_EQ(e->exit_code, 2);
  }
  return e ? e->message : "";
}

std::string apply(const std::string& text) {
  ConfigDraft draft;
  return apply(text, draft);
}

TEST(TomlConfig, EmptyDocumentChangesNothing) {
  ConfigDraft draft;
  EXPECT_EQ(apply("", draft), "");
  EXPECT_EQ(apply("# only a comment\n", draft), "");
  EXPECT_EQ(draft.config.history_size, 100u);
}

TEST(TomlConfig, EveryKey) {
  ConfigDraft draft;
  EXPECT_EQ(apply(R"(
listen = "[::]:443"
redis = "redis://r"
cache_redis = "redis://c"
api_key = "k"
jwt_secret = "s"
allowed_origins = "https://a.example,https://b.example"
history_size = 10
history_ttl = 20
ping_interval = 30
max_message_bytes = 40
log_format = "json"
log_level = "warn"
threads = 2
max_connections = 60
max_send_queue_bytes = 70
rate_limit = 0.5
)",
                  draft),
            "");
  const ServerConfig& c = draft.config;
  EXPECT_EQ(c.listen_host, "::");
  EXPECT_EQ(c.listen_port, 443);
  EXPECT_EQ(c.redis_url, "redis://r");
  EXPECT_EQ(c.cache_redis_url, "redis://c");
  EXPECT_EQ(c.api_key, "k");
  EXPECT_EQ(c.jwt_secret, "s");
  EXPECT_EQ(c.allowed_origins.size(), 2u);
  EXPECT_EQ(c.history_size, 10u);
  EXPECT_EQ(c.history_ttl.count(), 20);
  EXPECT_EQ(c.ping_interval.count(), 30);
  EXPECT_EQ(c.max_message_bytes, 40u);
  EXPECT_EQ(c.log_format, "json");
  EXPECT_EQ(c.log_level, "warn");
  EXPECT_EQ(c.threads, 2u);
  EXPECT_EQ(c.max_connections, 60u);
  EXPECT_EQ(c.max_send_queue_bytes, 70u);
  EXPECT_DOUBLE_EQ(c.client_rate_limit, 0.5);
  EXPECT_EQ(draft.origin_of("history_size"), "h.toml:8: history_size");
  EXPECT_EQ(draft.origin_of("jwt_public_key"), "default");
}

TEST(TomlConfig, UnparseableNamesTheLine) {
  std::string e = apply("listen = \"a:1\"\nhistory_size = = 3\n");
  EXPECT_TRUE(contains(e, "h.toml:2:")) << e;
  EXPECT_TRUE(contains(e, "invalid TOML")) << e;
  EXPECT_TRUE(contains(apply("[unterminated\n"), "h.toml:1:"));
  EXPECT_TRUE(contains(apply("a = \"\xff\"\n"), "invalid TOML"));
}

TEST(TomlConfig, UnknownKeyIsAnError) {
  std::string e = apply("\nhistroy_size = 1\n");
  EXPECT_TRUE(contains(e, "h.toml:2: \"histroy_size\": unknown key")) << e;
  e = apply("history-size = 1\n");
  EXPECT_TRUE(contains(e, "did you mean history_size")) << e;
  e = apply("config = \"x.toml\"\n");
  EXPECT_TRUE(contains(e, "unknown key")) << e;
  e = apply("[server]\nlisten = \"a:1\"\n");
  EXPECT_TRUE(contains(e, "\"server\": unknown key")) << e;
}

TEST(TomlConfig, WrongTypeNamesKeyAndTypes) {
  std::string e = apply("history_size = \"100\"\n");
  EXPECT_TRUE(contains(e, "h.toml:1: history_size: expected an integer, got a string")) << e;
  e = apply("listen = 8080\n");
  EXPECT_TRUE(contains(e, "listen: expected a string, got an integer")) << e;
  e = apply("rate_limit = true\n");
  EXPECT_TRUE(contains(e, "rate_limit: expected a number, got a boolean")) << e;
  e = apply("allowed_origins = [\"https://a.b\", 3]\n");
  EXPECT_TRUE(contains(e, "allowed_origins: expected an array of strings")) << e;
  e = apply("history_size = 1.5\n");
  EXPECT_TRUE(contains(e, "history_size: expected an integer, got a float")) << e;
}

TEST(TomlConfig, BadValueNamesKey) {
  for (std::string doc : {"history_size = -1\n", "ping_interval = 0\n", "log_level = \"loud\"\n",
                          "listen = \"nope\"\n", "rate_limit = inf\n", "rate_limit = nan\n",
                          "rate_limit = -1.0\n", "max_message_bytes = 0\n"}) {
    std::string e = apply(doc);
    std::string key = doc.substr(0, doc.find(' '));
    EXPECT_TRUE(contains(e, "h.toml:1: " + key + ": ")) << doc << " -> " << e;
  }
}

TEST(TomlConfig, FloatRateLimitAndEmptyOriginList) {
  ConfigDraft draft;
  EXPECT_EQ(apply("rate_limit = 1e3\nallowed_origins = []\n", draft), "");
  EXPECT_DOUBLE_EQ(draft.config.client_rate_limit, 1000);
  EXPECT_TRUE(draft.config.allowed_origins.empty());
}

TEST(TomlConfig, ChannelTables) {
  ConfigDraft draft;
  EXPECT_EQ(apply(R"(
[[channel]]
match = "admin"
subscribe = ["role:admin"]
publish = ["none"]
presence = ["authenticated"]
history_size = 0

[[channel]]
match = "chat:*"
publish = "authenticated"
)",
                  draft),
            "");
  const auto& rules = draft.config.channels;
  ASSERT_EQ(rules.size(), 2u);
  EXPECT_EQ(rules[0].match, "admin");
  EXPECT_EQ(rules[0].subscribe, std::vector<std::string>{"role:admin"});
  EXPECT_EQ(rules[0].publish, std::vector<std::string>{"none"});
  EXPECT_EQ(rules[0].presence, std::vector<std::string>{"authenticated"});
  EXPECT_EQ(rules[0].history_size, 0u);
  EXPECT_EQ(rules[1].match, "chat:*");
  EXPECT_FALSE(rules[1].subscribe);
  EXPECT_EQ(rules[1].publish, std::vector<std::string>{"authenticated"});
  EXPECT_FALSE(rules[1].presence);
  EXPECT_FALSE(rules[1].history_size);
}

TEST(TomlConfig, BadChannelTables) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"[channel]\nmatch = \"a\"\n", "channel: expected [[channel]] tables"},
      {"channel = [1]\n", "channel: expected [[channel]] tables"},
      {"[[channel]]\nsubscribe = [\"any\"]\n", "[[channel]] #1: match: missing"},
      {"[[channel]]\nmatch = 1\n", "[[channel]] #1: match: expected a string"},
      {"[[channel]]\nmatch = \"a\"\n[[channel]]\nmatch = \"b\"\nsubscribe = [1]\n",
       "h.toml:5: [[channel]] #2: subscribe: expected an array of strings"},
      {"[[channel]]\nmatch = \"a\"\nhistory_size = -1\n", "#1: history_size"},
      {"[[channel]]\nmatch = \"a\"\nhistory_size = \"1\"\n", "#1: history_size"},
      {"[[channel]]\nmatch = \"a\"\nsubscrib = [\"any\"]\n", "#1: \"subscrib\": unknown key"},
      {"[[channel]]\nmatch = \"a\"\npublish = [\"everyone\"]\n",
       "h.toml: [[channel]] #1 (match \"a\"): publish: unknown term \"everyone\""},
      {"[[channel]]\nmatch = \"\"\n", "[[channel]] #1: match \"\": empty glob"},
      {"[[channel]]\nmatch = \"a b\"\n", "[[channel]] #1: match \"a b\""},
  };
  for (const auto& [doc, needle] : cases) {
    std::string e = apply(doc);
    EXPECT_TRUE(contains(e, needle)) << doc << "\n-> " << e;
  }
}

TEST(TomlConfig, RelativePublicKeyPathIsAnchoredToTheFile) {
  ConfigDraft draft;
  ASSERT_FALSE(
      apply_toml_config("jwt_public_key = \"keys/jwt.pem\"\n", "/etc/herald/h.toml", draft));
  EXPECT_EQ(draft.jwt_public_key_path, "/etc/herald/keys/jwt.pem");
  ASSERT_FALSE(apply_toml_config("jwt_public_key = \"/abs.pem\"\n", "/etc/herald/h.toml", draft));
  EXPECT_EQ(draft.jwt_public_key_path, "/abs.pem");
}

}  // namespace
}  // namespace herald::app::detail
