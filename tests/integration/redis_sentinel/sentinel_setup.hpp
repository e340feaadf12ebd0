// SentinelSetup: a monitored master, one replica (--replicaof) and three sentinels
// on loopback, for the redis+sentinel:// tests; with a RedisServer::Tls, every one of
// them speaks TLS only (clients, replication, the sentinels' links), for
// rediss+sentinel://. start() returns once the replica is
// in sync and every sentinel knows the replica and the two other sentinels (so a
// failover can reach its quorum and elect a leader). Blocking: call it on the test
// thread before run_coro (the child processes die with the thread that forked them).
#pragma once

#include "support/redis_server.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace herald::test {

class SentinelSetup {
 public:
  static constexpr const char* kMaster = "mymaster";

  SentinelSetup() = default;
  /// Sentinels that require `sentinel_password` (requirepass + sentinel-pass).
  explicit SentinelSetup(std::string sentinel_password)
      : sentinel_password_(std::move(sentinel_password)) {}
  /// Servers and sentinels presenting tls's certificate, over TLS only.
  explicit SentinelSetup(RedisServer::Tls tls) : tls_(std::move(tls)) {}

  void start() {
    master_ = tls_ ? std::make_unique<RedisServer>(*tls_, tls_replication())
                   : std::make_unique<RedisServer>();
    master_->start();
    std::vector<std::string> replica_args = {"--replicaof", "127.0.0.1",
                                             std::to_string(master_->port())};
    if (tls_) {
      for (auto& a : tls_replication()) replica_args.push_back(a);
      replica_ = std::make_unique<RedisServer>(*tls_, replica_args);
    } else {
      replica_ = std::make_unique<RedisServer>(replica_args);
    }
    replica_->start();
    wait_for("the replica in sync", [&] {
      return replica_->cli({"INFO", "replication"}).find("master_link_status:up") !=
             std::string::npos;
    });
    for (int i = 0; i < 3; ++i) {
      RedisServer::Sentinel config;
      config.master_name = kMaster;
      config.master_port = master_->port();
      config.password = sentinel_password_;
      sentinels_.push_back(tls_ ? std::make_unique<RedisServer>(config, *tls_)
                                : std::make_unique<RedisServer>(config));
      sentinels_.back()->start();
    }
    for (auto& s : sentinels_) {
      wait_for("a sentinel that knows the replica and the other sentinels", [&] {
        const std::string info = sentinel_cli(*s, {"SENTINEL", "MASTER", kMaster});
        return field(info, "num-slaves") == "1" && field(info, "num-other-sentinels") == "2";
      });
    }
  }

  RedisServer& master() { return *master_; }
  RedisServer& replica() { return *replica_; }
  RedisServer& sentinel(std::size_t i) { return *sentinels_.at(i); }

  /// redis+sentinel://127.0.0.1:<s1>,127.0.0.1:<s2>,127.0.0.1:<s3>/<master>
  /// (rediss+sentinel:// with TLS; the caller appends the TLS query).
  std::string url(const std::string& master_name = kMaster) const {
    std::string out = tls_ ? "rediss+sentinel://" : "redis+sentinel://";
    for (std::size_t i = 0; i < sentinels_.size(); ++i) {
      if (i != 0) out += ',';
      out += "127.0.0.1:" + std::to_string(sentinels_[i]->port());
    }
    return out + "/" + master_name;
  }

  /// The port sentinel i names as the master ("" when it names none).
  std::string master_port_named_by(std::size_t i) const {
    const std::string out =
        sentinel_cli(*sentinels_.at(i), {"SENTINEL", "get-master-addr-by-name", kMaster});
    const auto nl = out.find('\n');
    return nl == std::string::npos ? "" : out.substr(nl + 1);
  }

  /// Polls an external condition (redis-cli) every 50 ms, for up to 30 s: the
  /// processes have no event to wait on. Throws when it never holds.
  template <class Pred>
  static void wait_for(const char* what, Pred pred) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!pred()) {
      if (std::chrono::steady_clock::now() > deadline)
        throw std::runtime_error(std::string("timed out waiting for ") + what);
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }

 private:
  static std::vector<std::string> tls_replication() { return {"--tls-replication", "yes"}; }

  std::string sentinel_cli(const RedisServer& s, std::vector<std::string> args) const {
    if (!sentinel_password_.empty()) args.insert(args.begin(), {"-a", sentinel_password_});
    return s.cli(args);
  }

  /// The value after the line `name` in redis-cli's one-item-per-line output.
  static std::string field(const std::string& text, const std::string& name) {
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
      if (line == name && std::getline(in, line)) return line;
    }
    return {};
  }

  std::string sentinel_password_;
  std::optional<RedisServer::Tls> tls_;
  std::unique_ptr<RedisServer> master_;
  std::unique_ptr<RedisServer> replica_;
  std::vector<std::unique_ptr<RedisServer>> sentinels_;
};

}  // namespace herald::test
