// ClusterSetup: a Redis Cluster of real redis-server processes on loopback ports:
// three primaries and (by default) one replica each, joined with
// `redis-cli --cluster create ... --cluster-yes`. start() returns once every node
// says cluster_state:ok, every replica is in sync with its primary and
// `redis-cli --cluster check` finds all nodes agreeing on the slots. Blocking: call it on the test
// thread before run_coro (the child processes die with the thread that forked them).
#pragma once

#include "support/redis_server.hpp"

#include <chrono>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace herald::test {

class ClusterSetup {
 public:
  explicit ClusterSetup(int replicas_per_primary = 1) : replicas_(replicas_per_primary) {}

  void start() {
    const int total = 3 * (1 + replicas_);
    for (int i = 0; i < total; ++i) {
      nodes_.push_back(std::make_unique<RedisServer>(std::vector<std::string>{
          "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
          "--cluster-node-timeout", "2000", "--cluster-require-full-coverage", "no",
          // Replicas sync at once (the default waits 5 s for more replicas), and may
          // take over however long they were cut off (a test kills primaries).
          "--repl-diskless-sync-delay", "0", "--cluster-replica-validity-factor", "0"}));
      nodes_.back()->start();
    }
    std::vector<std::string> args = {"--cluster", "create"};
    for (auto& n : nodes_) args.push_back("127.0.0.1:" + std::to_string(n->port()));
    args.insert(args.end(), {"--cluster-replicas", std::to_string(replicas_), "--cluster-yes"});
    const std::string out = nodes_.front()->cli(args);
    if (out.find("[OK] All 16384 slots covered") == std::string::npos)
      throw std::runtime_error("redis-cli --cluster create failed:\n" + out);
    wait_for("cluster_state:ok on every node", [&] {
      for (auto& n : nodes_)
        if (n->cli({"CLUSTER", "INFO"}).find("cluster_state:ok") == std::string::npos) return false;
      return true;
    });
    wait_for("every replica in sync", [&] {
      for (auto& n : nodes_) {
        const std::string info = n->cli({"INFO", "replication"});
        if (info.find("role:slave") != std::string::npos &&
            info.find("master_link_status:up") == std::string::npos)
          return false;
      }
      return true;
    });
    wait_for("every node agreeing on the slots", [&] {
      return nodes_.front()->cli({"--cluster", "check", seed(0)}).find("All nodes agree") !=
             std::string::npos;
    });
  }

  /// "127.0.0.1:<port>" of node i.
  std::string seed(std::size_t i) const { return "127.0.0.1:" + std::to_string(node(i).port()); }

  /// redis+cluster:// with node 0 as the only seed (the rest is discovered).
  std::string url() const { return "redis+cluster://" + seed(0); }

  RedisServer& node(std::size_t i) const { return *nodes_.at(i); }
  std::size_t size() const { return nodes_.size(); }

  /// The nodes that are primaries now (ROLE), in node order.
  std::vector<RedisServer*> primaries() const {
    std::vector<RedisServer*> out;
    for (auto& n : nodes_)
      if (n->cli({"ROLE"}).starts_with("master")) out.push_back(n.get());
    return out;
  }

  /// The node id of a server (CLUSTER MYID).
  static std::string id(const RedisServer& n) { return n.cli({"CLUSTER", "MYID"}); }

  /// The primary serving `slot` now, asked of node 0 (CLUSTER SHARDS is verbose in
  /// redis-cli; CLUSTER NODES is one line per node: "<id> <ip:port@bus> <flags>
  /// <master> <ping> <pong> <epoch> <state> <slot ranges...>").
  RedisServer& owner_of(int slot) const {
    std::istringstream in(nodes_.front()->cli({"CLUSTER", "NODES"}));
    std::string line;
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      std::vector<std::string> f;
      for (std::string w; fields >> w;) f.push_back(w);
      if (f.size() < 9 || f[2].find("master") == std::string::npos) continue;
      for (std::size_t i = 8; i < f.size(); ++i) {
        const auto dash = f[i].find('-');
        if (f[i].front() == '[') continue;  // a migrating/importing marker
        const int lo = std::stoi(f[i].substr(0, dash));
        const int hi = dash == std::string::npos ? lo : std::stoi(f[i].substr(dash + 1));
        if (slot >= lo && slot <= hi) return by_port(f[1]);
      }
    }
    throw std::runtime_error("no owner for slot " + std::to_string(slot));
  }

  /// Moves `slot` and its keys to primary `to` the way redis-cli --cluster reshard
  /// does: IMPORTING on the target, MIGRATING on the source, MIGRATE the keys in
  /// batches, then SETSLOT NODE on the target, the source and the other primaries.
  void move_slot(int slot, RedisServer& to) const {
    RedisServer& from = owner_of(slot);
    if (&from == &to) return;
    const std::string s = std::to_string(slot);
    expect_ok(to.cli({"CLUSTER", "SETSLOT", s, "IMPORTING", id(from)}));
    expect_ok(from.cli({"CLUSTER", "SETSLOT", s, "MIGRATING", id(to)}));
    for (;;) {
      std::istringstream in(from.cli({"CLUSTER", "GETKEYSINSLOT", s, "100"}));
      std::vector<std::string> args = {"MIGRATE", "127.0.0.1", std::to_string(to.port()), "", "0",
                                       "5000",    "KEYS"};
      for (std::string key; std::getline(in, key);)
        if (!key.empty()) args.push_back(key);
      if (args.size() == 7) break;
      expect_ok(from.cli(args));
    }
    // Target first, then source, then the rest: the order redis-cli uses, so that
    // no node redirects to one that still redirects back.
    expect_ok(to.cli({"CLUSTER", "SETSLOT", s, "NODE", id(to)}));
    expect_ok(from.cli({"CLUSTER", "SETSLOT", s, "NODE", id(to)}));
    for (auto* p : primaries())
      if (p != &to && p != &from) expect_ok(p->cli({"CLUSTER", "SETSLOT", s, "NODE", id(to)}));
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
  static void expect_ok(const std::string& reply) {
    if (reply != "OK") throw std::runtime_error("cluster command failed: " + reply);
  }

  RedisServer& by_port(const std::string& address) const {
    const auto colon = address.find(':');
    const int port = std::stoi(address.substr(colon + 1));
    for (auto& n : nodes_)
      if (n->port() == port) return *n;
    throw std::runtime_error("unknown node " + address);
  }

  int replicas_;
  std::vector<std::unique_ptr<RedisServer>> nodes_;
};

}  // namespace herald::test
