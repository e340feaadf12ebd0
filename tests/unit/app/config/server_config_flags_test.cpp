// load_server_config() from the command line: defaults, each flag, --help, and every
// kind of bad flag (exit code 2, message naming the flag).
#include "config_test_support.hpp"

namespace herald::app {
namespace {

using test::contains;
using test::load_error;
using test::load_ok;

TEST(ServerConfigFlags, NoArgumentsGiveTheDefaults) {
  ServerConfig c = load_ok({});
  ServerConfig d;
  EXPECT_EQ(c.listen_host, "127.0.0.1");
  EXPECT_EQ(c.listen_port, 8080);
  EXPECT_EQ(c.redis_url, "");
  EXPECT_EQ(c.history_size, d.history_size);
  EXPECT_EQ(c.history_ttl, std::chrono::seconds(300));
  EXPECT_EQ(c.ping_interval, std::chrono::seconds(25));
  EXPECT_EQ(c.max_message_bytes, 65536u);
  EXPECT_EQ(c.log_format, "text");
  EXPECT_EQ(c.log_level, "info");
  EXPECT_TRUE(c.channels.empty());
  EXPECT_TRUE(c.config_file.empty());
}

TEST(ServerConfigFlags, EveryValueFlag) {
  ServerConfig c = load_ok({"--listen",
                            "0.0.0.0:9000",
                            "--redis",
                            "redis://localhost:6379/1",
                            "--cache-redis",
                            "unix:///run/redis.sock",
                            "--api-key",
                            "k3y",
                            "--jwt-secret",
                            "s3cret",
                            "--allowed-origins",
                            "https://a.example, http://b.example:8080",
                            "--history-size",
                            "0",
                            "--history-ttl",
                            "60",
                            "--ping-interval",
                            "10",
                            "--max-message-bytes",
                            "1024",
                            "--log-format",
                            "json",
                            "--log-level",
                            "debug",
                            "--threads",
                            "4",
                            "--max-connections",
                            "50",
                            "--max-send-queue-bytes",
                            "4096",
                            "--rate-limit",
                            "2.5"});
  EXPECT_EQ(c.listen_host, "0.0.0.0");
  EXPECT_EQ(c.listen_port, 9000);
  EXPECT_EQ(c.redis_url, "redis://localhost:6379/1");
  EXPECT_EQ(c.cache_redis_url, "unix:///run/redis.sock");
  EXPECT_EQ(c.api_key, "k3y");
  EXPECT_EQ(c.jwt_secret, "s3cret");
  EXPECT_EQ(c.allowed_origins,
            (std::vector<std::string>{"https://a.example", "http://b.example:8080"}));
  EXPECT_EQ(c.history_size, 0u);
  EXPECT_EQ(c.history_ttl, std::chrono::seconds(60));
  EXPECT_EQ(c.ping_interval, std::chrono::seconds(10));
  EXPECT_EQ(c.max_message_bytes, 1024u);
  EXPECT_EQ(c.log_format, "json");
  EXPECT_EQ(c.log_level, "debug");
  EXPECT_EQ(c.threads, 4u);
  EXPECT_EQ(c.max_connections, 50u);
  EXPECT_EQ(c.max_send_queue_bytes, 4096u);
  EXPECT_DOUBLE_EQ(c.client_rate_limit, 2.5);
}

TEST(ServerConfigFlags, EqualsFormAndLastOneWins) {
  ServerConfig c = load_ok({"--history-size=5", "--history-size", "7", "--log-level=warn"});
  EXPECT_EQ(c.history_size, 7u);
  EXPECT_EQ(c.log_level, "warn");
}

TEST(ServerConfigFlags, ListenForms) {
  EXPECT_EQ(load_ok({"--listen", "[::1]:8081"}).listen_host, "::1");
  EXPECT_EQ(load_ok({"--listen", "[::1]:8081"}).listen_port, 8081);
  EXPECT_EQ(load_ok({"--listen", ":8082"}).listen_host, "0.0.0.0");
  EXPECT_EQ(load_ok({"--listen", "localhost:0"}).listen_port, 0);
  EXPECT_EQ(load_ok({"--listen", "example.com:65535"}).listen_port, 65535);
}

TEST(ServerConfigFlags, RedissUrlsAreAccepted) {
  const std::string tls = "rediss://:pw@redis.internal:6380/1?ca_file=/etc/ca.pem";
  EXPECT_EQ(load_ok({"--redis", tls}).redis_url, tls);
  EXPECT_EQ(load_ok({"--cache-redis", tls}).cache_redis_url, tls);
  EXPECT_FALSE(load_error({"--redis", "rediss://"}).message.empty());
}

TEST(ServerConfigFlags, SentinelUrlsAreAccepted) {
  const std::string url = "redis+sentinel://:pw@s1:26379,s2:26379/mymaster?sentinel_password=x";
  EXPECT_EQ(load_ok({"--redis", url}).redis_url, url);
  const std::string tls = "rediss+sentinel://s1/mymaster?ca_file=/etc/ca.pem";
  EXPECT_EQ(load_ok({"--cache-redis", tls}).cache_redis_url, tls);
  EXPECT_FALSE(load_error({"--redis", "redis+sentinel://"}).message.empty());
}

TEST(ServerConfigFlags, ClusterUrlsAreAccepted) {
  const std::string url = "redis+cluster://:pw@n1:7000,n2:7001";
  EXPECT_EQ(load_ok({"--redis", url}).redis_url, url);
  const std::string tls = "rediss+cluster://n1:7000?ca_file=/etc/ca.pem";
  EXPECT_EQ(load_ok({"--cache-redis", tls}).cache_redis_url, tls);
  EXPECT_FALSE(load_error({"--redis", "redis+cluster://"}).message.empty());
}

TEST(ServerConfigFlags, AllowedOriginsStar) {
  EXPECT_EQ(load_ok({"--allowed-origins", "*"}).allowed_origins, std::vector<std::string>{"*"});
}

TEST(ServerConfigFlags, HelpListsEveryFlagWithEnvAndDefault) {
  for (const char* flag : {"--help", "-h"}) {
    ConfigError e = load_error({flag});
    EXPECT_EQ(e.exit_code, 0);
    for (const char* needle : {"--listen",
                               "HERALD_LISTEN",
                               "127.0.0.1:8080",
                               "--redis",
                               "HERALD_REDIS_URL",
                               "--cache-redis",
                               "HERALD_CACHE_REDIS_URL",
                               "--api-key",
                               "HERALD_API_KEY",
                               "--jwt-secret",
                               "HERALD_JWT_SECRET",
                               "--jwt-public-key",
                               "HERALD_JWT_PUBLIC_KEY",
                               "--allowed-origins",
                               "HERALD_ALLOWED_ORIGINS",
                               "--history-size",
                               "HERALD_HISTORY_SIZE",
                               "--history-ttl",
                               "HERALD_HISTORY_TTL",
                               "--ping-interval",
                               "HERALD_PING_INTERVAL",
                               "--max-message-bytes",
                               "HERALD_MAX_MESSAGE_BYTES",
                               "65536",
                               "--log-format",
                               "HERALD_LOG_FORMAT",
                               "--log-level",
                               "HERALD_LOG_LEVEL",
                               "--threads",
                               "HERALD_THREADS",
                               "--max-connections",
                               "HERALD_MAX_CONNECTIONS",
                               "--max-send-queue-bytes",
                               "HERALD_MAX_SEND_QUEUE_BYTES",
                               "--rate-limit",
                               "HERALD_RATE_LIMIT",
                               "--config",
                               "HERALD_CONFIG",
                               "--help",
                               "[[channel]]"}) {
      EXPECT_TRUE(contains(e.message, needle)) << needle;
    }
  }
}

TEST(ServerConfigFlags, HelpWinsOverOtherProblems) {
  EXPECT_EQ(load_error({"--history-size", "abc", "--help"}).exit_code, 0);
  EXPECT_EQ(load_error({"--bogus", "--help"}).exit_code, 0);
}

TEST(ServerConfigFlags, UnknownFlagOrPositional) {
  ConfigError e = load_error({"--bogus", "1"});
  EXPECT_EQ(e.exit_code, 2);
  EXPECT_TRUE(contains(e.message, "--bogus")) << e.message;
  e = load_error({"stray"});
  EXPECT_EQ(e.exit_code, 2);
  EXPECT_TRUE(contains(e.message, "stray")) << e.message;
}

TEST(ServerConfigFlags, MissingValue) {
  ConfigError e = load_error({"--listen"});
  EXPECT_EQ(e.exit_code, 2);
  EXPECT_TRUE(contains(e.message, "--listen")) << e.message;
}

// Every bad value: exit code 2 and the flag in the message.
TEST(ServerConfigFlags, BadValuesNameTheFlag) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"--listen", "8080"},
      {"--listen", "host:port"},
      {"--listen", "1.2.3.4:65536"},
      {"--listen", "1.2.3.4:-1"},
      {"--listen", "::1:80"},
      {"--listen", "[::1]80"},
      {"--listen", "a b:80"},
      {"--redis", "localhost:6379"},
      {"--redis", "http://x"},
      {"--cache-redis", "redis://"},
      {"--cache-redis", "rediss://"},
      {"--redis", "redis-tls://x"},
      {"--allowed-origins", "example.com"},
      {"--allowed-origins", "https://a.com/"},
      {"--history-size", "abc"},
      {"--history-size", "-1"},
      {"--history-size", "1e3"},
      {"--history-size", "99999999999999999999999"},
      {"--history-ttl", "0"},
      {"--history-ttl", "5m"},
      {"--ping-interval", "0"},
      {"--ping-interval", " 5"},
      {"--max-message-bytes", "0"},
      {"--log-format", "xml"},
      {"--log-level", "verbose"},
      {"--log-level", "INFO"},
      {"--threads", "1025"},
      {"--threads", "two"},
      {"--max-connections", "0"},
      {"--max-send-queue-bytes", "0"},
      {"--rate-limit", "0"},
      {"--rate-limit", "-3"},
      {"--rate-limit", "inf"},
      {"--rate-limit", "nan"},
      {"--rate-limit", "1e2"},
  };
  for (const auto& [flag, value] : cases) {
    ConfigError e = load_error({flag, value});
    EXPECT_EQ(e.exit_code, 2) << flag << " " << value;
    EXPECT_TRUE(contains(e.message, flag)) << flag << " " << value << ": " << e.message;
  }
}

TEST(ServerConfigFlags, RedisPasswordIsNotEchoed) {
  ConfigError e = load_error({"--redis", "redis//user:hunter2@host"});
  EXPECT_FALSE(contains(e.message, "hunter2")) << e.message;
}

TEST(ServerConfigFlags, BadValueIsQuotedAndControlCharactersEscaped) {
  ConfigError e = load_error({"--log-level", "in\nfo"});
  EXPECT_TRUE(contains(e.message, "\"in\\x0afo\"")) << e.message;
}

TEST(ServerConfigFlags, ValueStartingWithDashViaEquals) {
  EXPECT_EQ(load_ok({"--api-key=-weird-"}).api_key, "-weird-");
}

}  // namespace
}  // namespace herald::app

namespace herald::app {
namespace {

using test::contains;
using test::load_error;
using test::load_ok;

// One definition per default: what ServerConfig starts with and what --help prints
// are the libraries' constants (which their option structs use too).
TEST(ServerConfigFlags, DefaultsAreTheLibrariesOwn) {
  namespace gd = gateway::defaults;
  namespace rd = realtime::defaults;
  const ServerConfig c;
  EXPECT_EQ(c.history_size, rd::history_size);
  EXPECT_EQ(c.history_ttl, rd::history_ttl);
  EXPECT_EQ(c.presence_ttl, rd::presence_ttl);
  EXPECT_EQ(c.ingest_claim_idle, rd::ingest_claim_idle);
  EXPECT_EQ(c.pubsub, realtime::PubSubMode::automatic);
  EXPECT_EQ(c.listen_host, gd::listen_host);
  EXPECT_EQ(c.listen_port, gd::listen_port);
  EXPECT_EQ(c.ping_interval, gd::ping_interval);
  EXPECT_EQ(c.max_message_bytes, gd::max_message_bytes);
  EXPECT_EQ(c.max_connections, gd::max_connections);
  EXPECT_EQ(c.max_send_queue_bytes, gd::max_send_queue_bytes);
  EXPECT_EQ(c.unauthenticated_output_bytes, gd::unauthenticated_output_bytes);
  EXPECT_EQ(c.max_header_bytes, gd::max_header_bytes);
  EXPECT_EQ(c.header_timeout, gd::header_timeout);
  EXPECT_EQ(c.max_http_connections, gd::max_http_connections);
  EXPECT_EQ(c.max_subscriptions_per_connection, gd::max_subscriptions_per_connection);
  EXPECT_EQ(c.client_rate_limit, gd::client_rate_limit);

  const std::string help = load_error({"--help"}).message;
  EXPECT_TRUE(contains(help, "default: " + std::to_string(realtime::defaults::history_size)))
      << help;
  EXPECT_TRUE(contains(help, "default: " + std::to_string(gateway::defaults::max_message_bytes)))
      << help;
  EXPECT_TRUE(contains(help, "default: 127.0.0.1:8080")) << help;
}

TEST(ServerConfigFlags, UnknownPubSubIsAnErrorNamingTheChoices) {
  EXPECT_EQ(load_ok({"--pubsub", "sharded"}).pubsub, realtime::PubSubMode::sharded);
  EXPECT_EQ(load_ok({"--pubsub", "classic"}).pubsub, realtime::PubSubMode::classic);
  EXPECT_EQ(load_ok({"--pubsub", "auto"}).pubsub, realtime::PubSubMode::automatic);
  const auto e = load_error({"--pubsub", "shardd"});
  EXPECT_EQ(e.exit_code, 2);
  EXPECT_TRUE(contains(e.message, "--pubsub")) << e.message;
  EXPECT_TRUE(contains(e.message, "expected auto, sharded or classic")) << e.message;
  EXPECT_TRUE(contains(e.message, "shardd")) << e.message;
}

}  // namespace
}  // namespace herald::app

namespace herald::app {
namespace {

// The admin console's settings: off by default; the password has a minimum length,
// the role must not be empty, the nodes interval is whole seconds 1-3600.
TEST(ServerConfigFlags, AdminConsoleSettings) {
  ServerConfig off = test::load_ok({});
  EXPECT_TRUE(off.admin_password.empty());
  EXPECT_TRUE(off.admin_jwt_role.empty());
  EXPECT_EQ(off.admin_nodes_interval, std::chrono::seconds(2));
  ServerConfig c = test::load_ok({"--admin-password", "long enough", "--admin-jwt-role", "ops",
                                  "--admin-nodes-interval", "5"});
  EXPECT_EQ(c.admin_password, "long enough");
  EXPECT_EQ(c.admin_jwt_role, "ops");
  EXPECT_EQ(c.admin_nodes_interval, std::chrono::seconds(5));
  EXPECT_FALSE(test::load_error({"--admin-password", "short"}).message.empty());
  EXPECT_FALSE(test::load_error({"--admin-jwt-role", ""}).message.empty());
  EXPECT_FALSE(test::load_error({"--admin-nodes-interval", "0"}).message.empty());
  EXPECT_FALSE(test::load_error({"--admin-nodes-interval", "x"}).message.empty());
}

}  // namespace
}  // namespace herald::app
