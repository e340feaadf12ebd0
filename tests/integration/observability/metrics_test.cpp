// /metrics of a real `herald serve` (Redis engine, cache with L2, proxy in front of
// an upstream) checked against the conventions of docs/operations.md ("Metrics")
// mechanically, and docs/grafana/herald.json checked against the same scrape: every
// metric a panel queries must exist (the dashboard cannot drift from the names).
#include "integration/observability/exposition.hpp"
#include "support/eventually.hpp"
#include "support/free_port.hpp"
#include "support/herald_process.hpp"
#include "support/redis_server.hpp"
#include "support/test_clients.hpp"

#include "gateway/disconnect_reason.hpp"
#include "gateway/http_endpoint.hpp"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <sstream>

namespace herald::test {
namespace {

class LiveMetrics : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    redis_ = std::make_unique<RedisServer>();
    redis_->start();
    // An upstream port nothing listens on: proxied requests fail (502), which still
    // fills the proxy's counters and latency histogram.
    upstream_port_ = free_loopback_port();
    herald_ = std::make_unique<HeraldProcess>(
        std::vector<std::string>{"--redis", redis_->url(), "--upstream",
                                 "http://127.0.0.1:" + std::to_string(upstream_port_),
                                 "--log-level", "warn", "--threads", "2"});
    traffic();
    scrape_ = herald_->get("/metrics").second;
  }
  static void TearDownTestSuite() {
    herald_.reset();
    redis_.reset();
  }

  /// A connection that subscribes, gets a publication and goes away; API calls; a
  /// proxied request: every family has a sample worth checking.
  static void traffic() {
    const std::uint16_t port = herald_->port();
    {
      WsClient c(port);
      ASSERT_TRUE(c.connected());
      c.next();  // welcome
      c.send(R"({"type":"subscribe","channel":"obs","id":1})");
      ASSERT_EQ(c.next_json().at("type").as_string(), "reply");
      ASSERT_EQ(http_publish(port, "obs", R"({"n":1})").status, 200u);
      ASSERT_EQ(c.next_json().at("type").as_string(), "message");
    }
    http_request(port, http::verb::get, "/api/history/obs");
    http_request(port, http::verb::get, "/api/presence/obs");
    http_request(port, http::verb::post, "/api/publish", "not json");
    http_request(port, http::verb::get, "/some/page");  // the upstream's: 502
    // The disconnect is counted when the server sees the socket go.
    ASSERT_TRUE(eventually([&] {
      return Exposition::parse(herald_->get("/metrics").second)
                 .value("herald_disconnects_total", {{"reason", "client"}}) >= 1;
    }));
    // The cache's figures are refreshed every second.
    ASSERT_TRUE(eventually([&] {
      return herald_->get("/metrics").second.find("herald_cache_hits_total") != std::string::npos;
    }));
  }

  static std::unique_ptr<RedisServer> redis_;
  static std::unique_ptr<HeraldProcess> herald_;
  static std::uint16_t upstream_port_;
  static std::string scrape_;
};

std::unique_ptr<RedisServer> LiveMetrics::redis_;
std::unique_ptr<HeraldProcess> LiveMetrics::herald_;
std::uint16_t LiveMetrics::upstream_port_ = 0;
std::string LiveMetrics::scrape_;

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool is_number(const std::string& v) {
  if (v == "+Inf" || v == "-Inf" || v == "NaN") return true;
  try {
    std::size_t used = 0;
    std::stod(v, &used);
    return used == v.size();
  } catch (const std::exception&) {
    return false;
  }
}

/// Every label a Herald metric may carry and the values it may take: fixed sets, or
/// (addr) the deployment's own Redis. Never a channel, user or URL.
std::map<std::string, std::set<std::string>> allowed_labels(const std::string& redis_addr) {
  std::map<std::string, std::set<std::string>> out;
  for (auto r : gateway::disconnect_reason_names) out["reason"].emplace(r);
  for (auto e : gateway::http_endpoint_names) out["endpoint"].emplace(e);
  for (auto c : gateway::http_status_classes) out["status"].emplace(c);
  out["level"] = {"l1", "l2"};
  out["outcome"] = {"hit", "stale", "miss", "bypass", "error"};
  out["kind"] = {"single", "sentinel", "cluster"};
  out["addr"] = {redis_addr};
  return out;  // `route` ([[route]] match patterns) is not configured here: none allowed
}

TEST_F(LiveMetrics, EveryFamilyFollowsTheConventions) {
  const Exposition scrape = Exposition::parse(scrape_);
  const std::string redis_addr = redis_->url().substr(std::string("redis://").size());
  const auto allowed = allowed_labels(redis_addr);
  ASSERT_GT(scrape.families.size(), 30u);
  for (const auto& [name, f] : scrape.families) {
    SCOPED_TRACE(name);
    EXPECT_TRUE(name.starts_with("herald_"));
    EXPECT_FALSE(f.help.empty()) << "no HELP";
    EXPECT_TRUE(f.type == "counter" || f.type == "gauge" || f.type == "histogram")
        << "TYPE '" << f.type << "'";
    EXPECT_FALSE(ends_with(name, "_ms") || ends_with(name, "_milliseconds") ||
                 ends_with(name, "_us") || ends_with(name, "_kb"))
        << "not in base units";
    EXPECT_EQ(f.type == "counter", ends_with(name, "_total")) << "_total iff a counter";
    EXPECT_TRUE(f.type != "histogram" || ends_with(name, "_seconds") || ends_with(name, "_bytes"))
        << "histogram unit";
    for (const Sample& s : f.samples) {
      EXPECT_TRUE(is_number(s.value)) << s.name << " " << s.value;
      EXPECT_TRUE(f.type == "histogram" || s.name == name) << s.name << " outside its family";
      for (const auto& [key, value] : s.labels) {
        if (key == "le" && f.type == "histogram" && ends_with(s.name, "_bucket")) {
          EXPECT_TRUE(is_number(value)) << "le=" << value;
          continue;
        }
        auto it = allowed.find(key);
        ASSERT_NE(it, allowed.end()) << s.name << ": label '" << key << "' not allowed";
        EXPECT_TRUE(it->second.contains(value))
            << s.name << ": " << key << "=\"" << value << "\" outside its set";
      }
    }
  }
}

TEST_F(LiveMetrics, HistogramBucketsAreCumulativeAndEndWithInf) {
  const Exposition scrape = Exposition::parse(scrape_);
  std::size_t histograms = 0;
  for (const auto& [name, f] : scrape.families) {
    if (f.type != "histogram") continue;
    ++histograms;
    SCOPED_TRACE(name);
    // Series: the labels other than `le`.
    std::map<std::map<std::string, std::string>, std::vector<const Sample*>> buckets;
    std::map<std::map<std::string, std::string>, double> counts;
    std::set<std::map<std::string, std::string>> sums;
    for (const Sample& s : f.samples) {
      auto labels = s.labels;
      labels.erase("le");
      if (s.name == name + "_bucket") {
        ASSERT_TRUE(s.labels.contains("le")) << "bucket without le";
        buckets[labels].push_back(&s);
      } else if (s.name == name + "_count") {
        counts[labels] = std::stod(s.value);
      } else if (s.name == name + "_sum") {
        sums.insert(labels);
      } else {
        ADD_FAILURE() << "stray sample " << s.name;
      }
    }
    ASSERT_FALSE(buckets.empty());
    for (const auto& [labels, list] : buckets) {
      double last_le = -1;
      double last_count = 0;
      for (const Sample* b : list) {
        const std::string& le = b->labels.at("le");
        const double bound = le == "+Inf" ? HUGE_VAL : std::stod(le);
        EXPECT_GT(bound, last_le) << "le not ascending at " << le;
        const double n = std::stod(b->value);
        EXPECT_GE(n, last_count) << "not cumulative at le=" << le;
        last_le = bound;
        last_count = n;
      }
      EXPECT_EQ(list.back()->labels.at("le"), "+Inf");
      ASSERT_TRUE(counts.contains(labels)) << "no _count";
      EXPECT_EQ(counts[labels], last_count) << "_count differs from the +Inf bucket";
      EXPECT_TRUE(sums.contains(labels)) << "no _sum";
    }
  }
  EXPECT_GE(histograms, 3u);  // deliveries, HTTP API, proxy upstream
  // The traffic above is in them.
  EXPECT_GE(scrape.value("herald_publish_deliver_latency_seconds_count"), 1);
  EXPECT_GE(scrape.value("herald_http_request_duration_seconds_count", {{"endpoint", "publish"}}),
            2);
  EXPECT_GE(
      scrape.value("herald_http_requests_total", {{"endpoint", "publish"}, {"status", "4xx"}}), 1);
  EXPECT_GE(scrape.value("herald_proxy_upstream_latency_seconds_count"), 1);
}

// What the /admin console charts (issue 17): each of these must be on /metrics.
TEST_F(LiveMetrics, ExposesWhatTheConsoleCharts) {
  const Exposition scrape = Exposition::parse(scrape_);
  for (const char* name :
       {"herald_connections", "herald_subscriptions", "herald_publications_total",
        "herald_publish_deliver_latency_seconds", "herald_disconnects_total",
        "herald_cache_hits_total", "herald_cache_misses_total", "herald_cache_stale_total",
        "herald_proxy_hits_total", "herald_proxy_misses_total", "herald_proxy_stale_total",
        "herald_proxy_bypasses_total", "herald_http_requests_total",
        "herald_http_request_duration_seconds"}) {
    EXPECT_TRUE(scrape.families.contains(name)) << name;
  }
  for (auto reason : {"slow_consumer", "token_expired", "auth", "client"})
    EXPECT_GE(scrape.value("herald_disconnects_total", {{"reason", reason}}), 0) << reason;
  for (auto level : {"l1", "l2"}) {
    EXPECT_GE(scrape.value("herald_cache_hits_total", {{"level", level}}), 0) << level;
    EXPECT_GE(scrape.value("herald_cache_misses_total", {{"level", level}}), 0) << level;
  }
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

/// Every panel of the dashboard, rows' nested panels included.
void collect_panels(const boost::json::array& panels,
                    std::vector<const boost::json::object*>& out) {
  for (const auto& p : panels) {
    out.push_back(&p.as_object());
    if (const auto* nested = p.as_object().if_contains("panels"))
      collect_panels(nested->as_array(), out);
  }
}

TEST_F(LiveMetrics, GrafanaDashboardQueriesOnlyExistingMetrics) {
  const std::string text = read_file(std::string(HERALD_SOURCE_DIR) + "/docs/grafana/herald.json");
  ASSERT_FALSE(text.empty()) << "docs/grafana/herald.json missing";
  const boost::json::object dashboard = boost::json::parse(text).as_object();
  EXPECT_GE(dashboard.at("schemaVersion").as_int64(), 36);
  // The data source and the instance are template variables.
  std::set<std::string> variables;
  for (const auto& v : dashboard.at("templating").at("list").as_array())
    variables.emplace(v.at("name").as_string());
  EXPECT_TRUE(variables.contains("DS_PROMETHEUS"));
  EXPECT_TRUE(variables.contains("instance"));

  const Exposition scrape = Exposition::parse(scrape_);
  std::vector<const boost::json::object*> panels;
  collect_panels(dashboard.at("panels").as_array(), panels);
  const std::regex metric_name("herald_[a-z0-9_]+");
  std::size_t exprs = 0;
  for (const auto* panel : panels) {
    const auto* targets = panel->if_contains("targets");
    if (targets == nullptr) continue;
    const std::string title(panel->at("title").as_string());
    SCOPED_TRACE(title);
    EXPECT_EQ(panel->at("datasource").at("uid").as_string(), "${DS_PROMETHEUS}");
    for (const auto& t : targets->as_array()) {
      const std::string expr(t.at("expr").as_string());
      ++exprs;
      EXPECT_NE(expr.find("instance=~\"$instance\""), std::string::npos) << expr;
      for (std::sregex_iterator it(expr.begin(), expr.end(), metric_name), end; it != end; ++it) {
        const std::string name = it->str();
        std::string family = name;
        for (const char* suffix : {"_bucket", "_sum", "_count"}) {
          const std::string base = name.substr(0, name.size() - std::strlen(suffix));
          if (ends_with(name, suffix) && scrape.families.contains(base) &&
              scrape.families.at(base).type == "histogram")
            family = base;
        }
        ASSERT_TRUE(scrape.families.contains(family)) << name << " is not on /metrics: " << expr;
        // Counters and histogram series are only read through rate() / increase().
        const std::string& type = scrape.families.at(family).type;
        if (type == "counter" || (type == "histogram" && family != name)) {
          const std::string before = expr.substr(0, static_cast<std::size_t>(it->position()));
          const auto open = before.rfind('(');
          ASSERT_NE(open, std::string::npos) << name << " outside rate(): " << expr;
          const std::string fn = before.substr(0, open);
          EXPECT_TRUE(ends_with(fn, "rate") || ends_with(fn, "increase"))
              << name << " outside rate(): " << expr;
        }
      }
    }
  }
  EXPECT_GE(exprs, 10u);
}

}  // namespace
}  // namespace herald::test
