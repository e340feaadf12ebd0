// load_server_config() across sources: environment variables, the TOML file named by
// --config / HERALD_CONFIG, the precedence flag > env > file > default, the RS256 key
// file, and the final cross-checks.
#include "config_test_support.hpp"

#include "unit/gateway/access/test_tokens.hpp"

namespace herald::app {
namespace {

using test::contains;
using test::load_error;
using test::load_ok;
using test::ScratchDir;

TEST(ServerConfigSources, EveryEnvironmentVariable) {
  ServerConfig c = load_ok({}, {{"HERALD_LISTEN", "10.0.0.1:81"},
                                {"HERALD_REDIS_URL", "redis://r:6379"},
                                {"HERALD_CACHE_REDIS_URL", "redis://c:6379"},
                                {"HERALD_API_KEY", "key"},
                                {"HERALD_JWT_SECRET", "sec"},
                                {"HERALD_ALLOWED_ORIGINS", "https://x.y"},
                                {"HERALD_HISTORY_SIZE", "9"},
                                {"HERALD_HISTORY_TTL", "8"},
                                {"HERALD_PING_INTERVAL", "7"},
                                {"HERALD_MAX_MESSAGE_BYTES", "6"},
                                {"HERALD_LOG_FORMAT", "json"},
                                {"HERALD_LOG_LEVEL", "error"},
                                {"HERALD_THREADS", "3"},
                                {"HERALD_MAX_CONNECTIONS", "2"},
                                {"HERALD_MAX_SEND_QUEUE_BYTES", "1"},
                                {"HERALD_RATE_LIMIT", "12"}});
  EXPECT_EQ(c.listen_host, "10.0.0.1");
  EXPECT_EQ(c.listen_port, 81);
  EXPECT_EQ(c.redis_url, "redis://r:6379");
  EXPECT_EQ(c.cache_redis_url, "redis://c:6379");
  EXPECT_EQ(c.api_key, "key");
  EXPECT_EQ(c.jwt_secret, "sec");
  EXPECT_EQ(c.allowed_origins, std::vector<std::string>{"https://x.y"});
  EXPECT_EQ(c.history_size, 9u);
  EXPECT_EQ(c.history_ttl.count(), 8);
  EXPECT_EQ(c.ping_interval.count(), 7);
  EXPECT_EQ(c.max_message_bytes, 6u);
  EXPECT_EQ(c.log_format, "json");
  EXPECT_EQ(c.log_level, "error");
  EXPECT_EQ(c.threads, 3u);
  EXPECT_EQ(c.max_connections, 2u);
  EXPECT_EQ(c.max_send_queue_bytes, 1u);
  EXPECT_DOUBLE_EQ(c.client_rate_limit, 12);
}

TEST(ServerConfigSources, BadEnvironmentValueNamesTheVariable) {
  ConfigError e = load_error({}, {{"HERALD_HISTORY_SIZE", "lots"}});
  EXPECT_EQ(e.exit_code, 2);
  EXPECT_TRUE(contains(e.message, "HERALD_HISTORY_SIZE")) << e.message;
}

TEST(ServerConfigSources, EmptyAndUnrelatedVariablesAreIgnored) {
  ServerConfig c = load_ok({}, {{"HERALD_HISTORY_SIZE", ""}, {"HERALD_NOPE", "1"}, {"PATH", "/x"}});
  EXPECT_EQ(c.history_size, 100u);
}

TEST(ServerConfigSources, FileSettings) {
  ScratchDir dir;
  auto path = dir.write("herald.toml", R"(
listen = "0.0.0.0:7000"
redis = "redis://h:1/2"
allowed_origins = ["https://a.example", "https://b.example"]
history_size = 5
rate_limit = 7
log_level = "trace"

[[channel]]
match = "admin"
subscribe = ["role:admin"]
)");
  ServerConfig c = load_ok({"--config", path});
  EXPECT_EQ(c.config_file, path);
  EXPECT_EQ(c.listen_port, 7000);
  EXPECT_EQ(c.redis_url, "redis://h:1/2");
  EXPECT_EQ(c.allowed_origins.size(), 2u);
  EXPECT_EQ(c.history_size, 5u);
  EXPECT_DOUBLE_EQ(c.client_rate_limit, 7);
  EXPECT_EQ(c.log_level, "trace");
  ASSERT_EQ(c.channels.size(), 1u);
  EXPECT_EQ(c.channels[0].match, "admin");
}

// --redis-wait-replicas: off by default; flag, environment and file; bounded.
TEST(ServerConfigSources, RedisWaitReplicasFromEverySource) {
  EXPECT_EQ(load_ok({}).redis_wait_replicas, 0u);
  EXPECT_EQ(load_ok({"--redis-wait-replicas", "2"}).redis_wait_replicas, 2u);
  EXPECT_EQ(load_ok({}, {{"HERALD_REDIS_WAIT_REPLICAS", "1"}}).redis_wait_replicas, 1u);
  ScratchDir dir;
  auto path = dir.write("herald.toml", "redis_wait_replicas = 3\n");
  EXPECT_EQ(load_ok({"--config", path}).redis_wait_replicas, 3u);
  EXPECT_EQ(load_ok({"--config", path, "--redis-wait-replicas", "0"}).redis_wait_replicas, 0u);
  for (const char* bad : {"-1", "one", "1001", "1.5"}) {
    ConfigError e = load_error({"--redis-wait-replicas", bad});
    EXPECT_EQ(e.exit_code, 2) << bad;
    EXPECT_TRUE(contains(e.message, "--redis-wait-replicas")) << e.message;
  }
}

TEST(ServerConfigSources, ConfigFromEnvironment) {
  ScratchDir dir;
  auto path = dir.write("h.toml", "history_size = 3\n");
  EXPECT_EQ(load_ok({}, {{"HERALD_CONFIG", path}}).history_size, 3u);
  // --config beats HERALD_CONFIG.
  auto other = dir.write("o.toml", "history_size = 4\n");
  EXPECT_EQ(load_ok({"--config", other}, {{"HERALD_CONFIG", path}}).history_size, 4u);
}

TEST(ServerConfigSources, PrecedenceFlagOverEnvOverFileOverDefault) {
  ScratchDir dir;
  auto path = dir.write("p.toml", "history_size = 1\nhistory_ttl = 1\nping_interval = 1\n");
  test::Env env{{"HERALD_HISTORY_SIZE", "2"}, {"HERALD_HISTORY_TTL", "2"}};
  ServerConfig c = load_ok({"--config", path, "--history-size", "3"}, env);
  EXPECT_EQ(c.history_size, 3u);           // flag
  EXPECT_EQ(c.history_ttl.count(), 2);     // env
  EXPECT_EQ(c.ping_interval.count(), 1);   // file
  EXPECT_EQ(c.max_message_bytes, 65536u);  // default
}

TEST(ServerConfigSources, MissingConfigFileNamesTheFlagOrVariable) {
  ConfigError e = load_error({"--config", "/nonexistent/herald.toml"});
  EXPECT_EQ(e.exit_code, 2);
  EXPECT_TRUE(contains(e.message, "--config")) << e.message;
  EXPECT_TRUE(contains(e.message, "/nonexistent/herald.toml")) << e.message;
  e = load_error({}, {{"HERALD_CONFIG", "/nonexistent/h.toml"}});
  EXPECT_TRUE(contains(e.message, "HERALD_CONFIG")) << e.message;
}

TEST(ServerConfigSources, BadFileNamesFileLineAndKey) {
  ScratchDir dir;
  auto path = dir.write("bad.toml", "listen = \"0.0.0.0:1\"\n\nhistory_size = \"100\"\n");
  ConfigError e = load_error({"--config", path});
  EXPECT_EQ(e.exit_code, 2);
  EXPECT_TRUE(contains(e.message, path + ":3: history_size")) << e.message;
}

TEST(ServerConfigSources, Rs256PublicKeyFile) {
  ScratchDir dir;
  auto key = herald::test::rsa_key(2048);
  auto pem = herald::test::pem(key.get());
  auto path = dir.write("jwt.pem", pem);
  EXPECT_EQ(load_ok({"--jwt-public-key", path}).jwt_public_key_pem, pem);
  EXPECT_EQ(load_ok({}, {{"HERALD_JWT_PUBLIC_KEY", path}}).jwt_public_key_pem, pem);
  // From the file, a relative path is relative to the config file's directory.
  auto config = dir.write("k.toml", "jwt_public_key = \"jwt.pem\"\n");
  EXPECT_EQ(load_ok({"--config", config}).jwt_public_key_pem, pem);
}

TEST(ServerConfigSources, MissingOrBadPublicKeyNamesTheSource) {
  ConfigError e = load_error({"--jwt-public-key", "/nonexistent/key.pem"});
  EXPECT_EQ(e.exit_code, 2);
  EXPECT_TRUE(contains(e.message, "--jwt-public-key")) << e.message;
  EXPECT_TRUE(contains(e.message, "/nonexistent/key.pem")) << e.message;

  ScratchDir dir;
  auto junk = dir.write("junk.pem", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n");
  e = load_error({}, {{"HERALD_JWT_PUBLIC_KEY", junk}});
  EXPECT_TRUE(contains(e.message, "HERALD_JWT_PUBLIC_KEY")) << e.message;

  auto config = dir.write("k.toml", "jwt_public_key = \"missing.pem\"\n");
  e = load_error({"--config", config});
  EXPECT_TRUE(contains(e.message, "k.toml:1: jwt_public_key")) << e.message;
}

TEST(ServerConfigSources, SecretAndPublicKeyAreExclusive) {
  ScratchDir dir;
  auto key = herald::test::rsa_key(2048);
  auto path = dir.write("jwt.pem", herald::test::pem(key.get()));
  ConfigError e = load_error({"--jwt-public-key", path}, {{"HERALD_JWT_SECRET", "s"}});
  EXPECT_EQ(e.exit_code, 2);
  EXPECT_TRUE(contains(e.message, "HERALD_JWT_SECRET")) << e.message;
  EXPECT_TRUE(contains(e.message, "--jwt-public-key")) << e.message;
}

TEST(ServerConfigSources, DirectoryAsConfigFile) {
  ScratchDir dir;
  ConfigError e = load_error({"--config", dir.path().string()});
  EXPECT_EQ(e.exit_code, 2);
  EXPECT_TRUE(contains(e.message, "--config")) << e.message;
}

TEST(ServerConfigSources, EnvironmentMapReadsTheProcessEnvironment) {
  ASSERT_EQ(setenv("HERALD_TEST_ENVIRONMENT_MAP", "a=b", 1), 0);
  auto env = environment_map();
  EXPECT_EQ(env["HERALD_TEST_ENVIRONMENT_MAP"], "a=b");
  unsetenv("HERALD_TEST_ENVIRONMENT_MAP");
}

}  // namespace
}  // namespace herald::app
