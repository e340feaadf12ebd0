// The HTTP cache gateway's settings: --upstream / HERALD_UPSTREAM / `upstream` in the
// file (flag > env > file), and --upstream-timeout; malformed URLs are refused with
// the source named.
#include "config_test_support.hpp"

namespace herald::app::test {
namespace {

TEST(UpstreamConfig, DefaultIsNoUpstream) {
  ServerConfig c = load_ok({});
  EXPECT_TRUE(c.upstream_host.empty());
  EXPECT_EQ(c.upstream_timeout, std::chrono::seconds{30});
}

TEST(UpstreamConfig, UrlForms) {
  ServerConfig c = load_ok({"--upstream", "http://127.0.0.1:3000"});
  EXPECT_EQ(c.upstream_host, "127.0.0.1");
  EXPECT_EQ(c.upstream_port, 3000);
  c = load_ok({"--upstream", "http://app.internal/"});
  EXPECT_EQ(c.upstream_host, "app.internal");
  EXPECT_EQ(c.upstream_port, 80);
  c = load_ok({"--upstream", "http://[::1]:8081"});
  EXPECT_EQ(c.upstream_host, "::1");
  EXPECT_EQ(c.upstream_port, 8081);
  EXPECT_EQ(load_ok({"--upstream-timeout", "5"}).upstream_timeout, std::chrono::seconds{5});
}

TEST(UpstreamConfig, MalformedUrlsAreRefused) {
  for (const char* bad : {"127.0.0.1:3000", "https://app:443", "http://", "http://app:0",
                          "http://app:70000", "http://app:x", "http://app/path", "http://u@app",
                          "http://app?q", "http://a b:1", "http://[::1:80"}) {
    SCOPED_TRACE(bad);
    ConfigError e = load_error({"--upstream", bad});
    EXPECT_EQ(e.exit_code, 2);
    EXPECT_EQ(e.message.rfind("--upstream: ", 0), 0u) << e.message;
  }
  EXPECT_EQ(load_error({"--upstream-timeout", "0"}).exit_code, 2);
}

TEST(UpstreamConfig, FlagBeatsEnvBeatsFile) {
  ScratchDir dir;
  const auto file = dir.write("herald.toml", "upstream = \"http://file:1\"\n");
  EXPECT_EQ(load_ok({"--config", file}).upstream_host, "file");
  EXPECT_EQ(load_ok({"--config", file}, {{"HERALD_UPSTREAM", "http://env:2"}}).upstream_host,
            "env");
  EXPECT_EQ(load_ok({"--config", file, "--upstream", "http://flag:3"},
                    {{"HERALD_UPSTREAM", "http://env:2"}})
                .upstream_host,
            "flag");
  ConfigError e = load_error({}, {{"HERALD_UPSTREAM", "ftp://x"}});
  EXPECT_EQ(e.message.rfind("HERALD_UPSTREAM: ", 0), 0u) << e.message;
}

}  // namespace
}  // namespace herald::app::test

namespace herald::app::test {
namespace {

TEST(RouteConfig, RouteTablesAreRead) {
  ScratchDir dir;
  const auto file = dir.write("herald.toml", R"(
upstream = "http://127.0.0.1:3000"
[[route]]
match = "/api/products/{id}"
methods = ["GET", "PUT"]
ttl = 30
negative_ttl = 5
ignore_query = ["utm_*"]
tags = ["products", "product:{id}"]
invalidate = "product:{id}"
[[route]]
match = "/api/cart/**"
cache = false
)");
  ServerConfig c = load_ok({"--config", file});
  ASSERT_EQ(c.routes.size(), 2u);
  EXPECT_EQ(c.routes[0].match, "/api/products/{id}");
  EXPECT_EQ(c.routes[0].methods, (std::vector<std::string>{"GET", "PUT"}));
  EXPECT_EQ(c.routes[0].ttl, std::chrono::seconds{30});
  EXPECT_EQ(c.routes[0].negative_ttl, std::chrono::seconds{5});
  EXPECT_EQ(c.routes[0].ignore_query, std::vector<std::string>{"utm_*"});
  EXPECT_EQ(c.routes[0].tags.size(), 2u);
  EXPECT_EQ(c.routes[0].invalidate, std::vector<std::string>{"product:{id}"});
  EXPECT_TRUE(c.routes[0].cache);
  EXPECT_FALSE(c.routes[1].cache);
}

TEST(RouteConfig, BadRoutesNameTheirPlace) {
  ScratchDir dir;
  struct Case {
    const char* toml;
    const char* why;
  };
  for (const Case& k : std::vector<Case>{
           {"[[route]]\nttl = 5\n", "[[route]] #1: match: missing"},
           {"[[route]]\nmatch = \"/a\"\nttl = 0\n", "expected seconds"},
           {"[[route]]\nmatch = \"/a\"\ncache = 1\n", "expected true or false"},
           {"[[route]]\nmatch = \"/a\"\nfoo = 1\n", "unknown key"},
           {"[[route]]\nmatch = \"/a\"\ntags = [1]\n", "expected an array of strings"},
           {"[[route]]\nmatch = \"/a/{id}\"\ntags = [\"p:{x}\"]\n", "route #1: {x}"},
           {"route = 1\n", "expected [[route]] tables"},
       }) {
    SCOPED_TRACE(k.toml);
    const auto file = dir.write("bad.toml", k.toml);
    ConfigError e = load_error({"--config", file});
    EXPECT_EQ(e.exit_code, 2);
    EXPECT_NE(e.message.find(k.why), std::string::npos) << e.message;
  }
}

TEST(UpstreamConfig, UpstreamTableAndRoutePrefix) {
  ScratchDir dir;
  const auto file = dir.write("herald.toml", R"(
route_prefix = "/_herald"
[upstream]
url = "http://app.internal:3000"
timeout = 12
connect_timeout = 3
[[route]]
match = "/a/*"
grace = 30
)");
  ServerConfig c = load_ok({"--config", file});
  EXPECT_EQ(c.upstream_host, "app.internal");
  EXPECT_EQ(c.upstream_port, 3000);
  EXPECT_EQ(c.upstream_timeout, std::chrono::seconds{12});
  EXPECT_EQ(c.upstream_connect_timeout, std::chrono::seconds{3});
  EXPECT_EQ(c.route_prefix, "/_herald");
  ASSERT_EQ(c.routes.size(), 1u);
  EXPECT_EQ(c.routes[0].grace, std::chrono::seconds{30});
  // The table's keys are the flat settings: a flag still wins.
  EXPECT_EQ(load_ok({"--config", file, "--upstream-timeout", "4"}).upstream_timeout,
            std::chrono::seconds{4});
  for (const char* bad : {"_herald", "/_herald/", "/", "/a b", "/a?x"}) {
    ConfigError e = load_error({"--route-prefix", bad});
    EXPECT_EQ(e.exit_code, 2) << bad;
    EXPECT_EQ(e.message.rfind("--route-prefix: ", 0), 0u) << e.message;
  }
  const auto unknown = dir.write("bad.toml", "[upstream]\nurl = \"http://a:1\"\nretries = 3\n");
  ConfigError e = load_error({"--config", unknown});
  EXPECT_NE(e.message.find("[upstream] \"retries\": unknown key"), std::string::npos) << e.message;
}

}  // namespace
}  // namespace herald::app::test
