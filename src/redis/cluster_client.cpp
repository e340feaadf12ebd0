// ClusterClient: slot-map upkeep and request routing for redis+cluster:// URLs; see
// cluster_client.hpp.
#include "redis/cluster_client.hpp"

#include "redis/core/backoff.hpp"
#include "redis/core/key_slot.hpp"
#include "redis/core/redirect.hpp"
#include "redis/core/request_route.hpp"

#include <herald/redis/tls_context.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <spdlog/spdlog.h>

#include <algorithm>

namespace herald::redis {
namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

std::chrono::milliseconds left_until(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() < 0 ? std::chrono::milliseconds{0} : left;
}

std::string describe(const SlotMap& map) {
  std::string out;
  for (const auto& p : map.primaries()) out += (out.empty() ? "" : ", ") + p.address();
  return out;
}

}  // namespace

ClusterClient::ClusterClient(executor_type executor, ConnectionConfig config, std::size_t per_node)
    : ex_(std::move(executor)),
      config_(std::move(config)),
      per_node_(per_node == 0 ? 1 : per_node),
      refresh_signal_(ex_) {
  // One TLS context for every node (a failure is left to each connection, which
  // logs it and fails its connects).
  if (!prepare_tls(config_).empty()) config_.tls.reset();
}

ClusterClient::~ClusterClient() {
  stop();
}

void ClusterClient::start() {
  if (started_ || stopped_) return;
  started_ = true;
  for (const auto& seed : config_.url.cluster) node(ClusterNode{seed.host, seed.port});
  asio::co_spawn(ex_, refresher(shared_from_this()), asio::detached);
}

void ClusterClient::stop() {
  if (stopped_) return;
  stopped_ = true;
  for (auto& [address, pool] : pools_) pool->stop();
  refresh_signal_.cancel();
}

Pool& ClusterClient::node(const ClusterNode& n) {
  std::string address = n.address();
  auto it = pools_.find(address);
  if (it != pools_.end()) return *it->second;
  ConnectionConfig c = config_;
  c.url.cluster.clear();
  c.url.host = n.host;
  c.url.port = n.port;
  auto pool = std::make_unique<Pool>(ex_, c, per_node_);
  if (started_ && !stopped_) pool->start();
  return *pools_.emplace(std::move(address), std::move(pool)).first->second;
}

void ClusterClient::map_changed() {
  primary_pools_.clear();
  for (const auto& p : map_.primaries()) primary_pools_.push_back(&node(p));
  Topology t;
  t.kind = Topology::Kind::cluster;
  for (const auto& p : map_.primaries()) t.primaries.push_back(p.address());
  t.changes = slot_moves_;
  std::lock_guard lock{topology_mutex_};
  topology_ = std::move(t);
}

bool ClusterClient::moves_to_another(std::uint16_t slot, const ClusterNode& to) const {
  const ClusterNode* from = have_map_ ? map_.owner(slot) : nullptr;
  return from != nullptr && !(*from == to);
}

Topology ClusterClient::topology() const {
  std::lock_guard lock{topology_mutex_};
  if (topology_.kind == Topology::Kind::cluster) return topology_;
  Topology t;  // before the first map
  t.kind = Topology::Kind::cluster;
  return t;
}

Pool* ClusterClient::any_primary() {
  const std::size_t n = primary_pools_.size();
  for (std::size_t k = 0; k < n; ++k) {
    Pool* p = primary_pools_[(next_any_ + k) % n];
    if (p->connected()) {
      next_any_ = (next_any_ + k + 1) % n;
      return p;
    }
  }
  return n == 0 ? nullptr : primary_pools_.front();
}

std::optional<ClusterNode> ClusterClient::owner(std::uint16_t slot) const {
  const ClusterNode* n = have_map_ ? map_.owner(slot) : nullptr;
  if (n == nullptr) return std::nullopt;
  return *n;
}

void ClusterClient::moved(std::uint16_t slot, const ClusterNode& n) {
  if (!have_map_ || stopped_) return;
  if (moves_to_another(slot, n)) ++slot_moves_;
  map_.assign(slot, n);
  map_changed();
  request_refresh();
}

void ClusterClient::request_refresh() {
  refresh_wanted_ = true;
  if (idle_) refresh_signal_.cancel();
}

asio::awaitable<void> ClusterClient::refresher(std::shared_ptr<ClusterClient> self) {
  Backoff backoff{config_.reconnect_min, config_.reconnect_max};
  while (!stopped_) {
    refresh_wanted_ = false;
    const bool ok = co_await refresh();
    if (stopped_) break;
    if (ok) backoff.reset();
    refresh_signal_.expires_after(ok ? std::chrono::milliseconds{kMinRefreshInterval}
                                     : backoff.next());
    co_await refresh_signal_.async_wait(kTuple);
    if (stopped_ || !ok || refresh_wanted_) continue;
    idle_ = true;
    refresh_signal_.expires_after(kPeriodicRefresh);
    co_await refresh_signal_.async_wait(kTuple);
    idle_ = false;
  }
  (void)self;
}

asio::awaitable<bool> ClusterClient::refresh() {
  auto self = shared_from_this();
  std::vector<ClusterNode> candidates = map_.primaries();
  for (const auto& seed : config_.url.cluster) {
    ClusterNode n{seed.host, seed.port};
    if (std::find(candidates.begin(), candidates.end(), n) == candidates.end())
      candidates.push_back(std::move(n));
  }
  // Nodes already connected first: a dead primary must not cost every refresh a
  // connect timeout.
  for (int pass = 0; pass < 2; ++pass) {
    for (const auto& c : candidates) {
      if (stopped_) co_return false;
      Pool& pool = node(c);
      if (pass == 0 && !pool.connected()) continue;
      if (pass == 1 && (pool.connected() || !co_await pool.wait_connected(config_.connect_timeout)))
        continue;
      if (co_await refresh_from(pool, c.host)) co_return true;
    }
  }
  spdlog::warn("redis {}: no node answered CLUSTER SHARDS / CLUSTER SLOTS", config_.url.redacted());
  co_return false;
}

asio::awaitable<bool> ClusterClient::refresh_from(Pool& pool, const std::string& host) {
  Request shards;
  shards.push("CLUSTER", "SHARDS");
  auto reply = co_await pool.exec(shards);
  if (!reply) co_return false;
  Result<SlotMap> map = Errc::unexpected_reply;
  if (reply->is_error()) {  // Redis < 7: no CLUSTER SHARDS
    Request slots;
    slots.push("CLUSTER", "SLOTS");
    auto old = co_await pool.exec(slots);
    if (!old || old->is_error()) co_return false;
    map = SlotMap::from_slots(*old, host);
  } else {
    map = SlotMap::from_shards(*reply, host, config_.url.tls.enabled);
  }
  if (!map || map->covered() == 0 || stopped_) co_return false;
  // Nodes list shards in their own order: compare the sets.
  const auto sorted = [](std::vector<ClusterNode> v) {
    std::sort(v.begin(), v.end(),
              [](const ClusterNode& x, const ClusterNode& y) { return x.address() < y.address(); });
    return v;
  };
  const bool changed = !have_map_ || sorted(map->primaries()) != sorted(map_.primaries());
  if (have_map_) {
    for (std::uint16_t slot = 0; slot < kClusterSlots; ++slot) {
      const ClusterNode* to = map->owner(slot);
      if (to != nullptr && moves_to_another(slot, *to)) {
        ++slot_moves_;
        break;
      }
    }
  }
  if (changed)
    spdlog::info("redis {}: cluster primaries {} ({} of 16384 slots covered)",
                 config_.url.redacted(), describe(*map), map->covered());
  map_ = std::move(*map);
  have_map_ = true;
  map_changed();
  co_return true;
}

void ClusterClient::refresh_if_down(const Result<std::vector<Reply>>& replies) {
  if (!replies && (replies.error() == Errc::not_connected ||
                   replies.error() == Errc::connection_lost || replies.error() == Errc::timeout))
    request_refresh();
}

asio::awaitable<Result<std::vector<Reply>>> ClusterClient::exec_everywhere(const Request& request) {
  if (!have_map_) {
    request_refresh();
    co_return Errc::not_connected;
  }
  const std::vector<Pool*> pools = primary_pools_;  // the map may change meanwhile
  Result<std::vector<Reply>> first = Errc::not_connected;
  bool have_first = false;
  for (Pool* pool : pools) {
    auto replies = co_await pool->exec_all(request);
    refresh_if_down(replies);
    if (!replies) co_return replies;
    for (const auto& r : *replies)
      if (r.is_error()) co_return replies;
    if (!have_first) {
      first = std::move(replies);
      have_first = true;
    }
  }
  co_return first;
}

asio::awaitable<Result<std::vector<Reply>>> ClusterClient::exec_all(const Request& request) {
  auto self = shared_from_this();
  if (stopped_) co_return Errc::closed;
  const RequestRoute route = RequestRoute::of(request.payload()).value_or(RequestRoute{});
  if (route.kind == RequestRoute::Kind::all) co_return co_await exec_everywhere(request);
  Pool* pool = nullptr;
  std::string host = config_.url.host;
  if (route.kind == RequestRoute::Kind::slot) {
    if (const ClusterNode* owner = map_.owner(route.slot)) {
      pool = &node(*owner);
      host = owner->host;
    }
  } else {
    pool = any_primary();
  }
  if (pool == nullptr) {  // no map yet, or the slot has no owner (a failed shard)
    request_refresh();
    ++stats_.rejected;
    co_return Errc::not_connected;
  }
  auto replies = co_await pool->exec_all(request);
  refresh_if_down(replies);
  if (!replies || route.cross_slot || stopped_) co_return replies;
  std::optional<Redirect> redirect;
  for (const auto& r : *replies) {
    if (r.is_error() && (redirect = Redirect::parse(r.str))) break;
  }
  if (!redirect) co_return replies;

  const ClusterNode target{redirect->host.empty() ? host : redirect->host, redirect->port};
  Pool& to = node(target);
  if (!to.connected()) (void)co_await to.wait_connected(config_.connect_timeout);
  if (redirect->kind == Redirect::Kind::moved) {
    if (moves_to_another(redirect->slot, target)) ++slot_moves_;
    map_.assign(redirect->slot, target);
    map_changed();
    request_refresh();
    auto moved = co_await to.exec_all(request);
    refresh_if_down(moved);
    co_return moved;
  }
  Request asking;
  asking.push("ASKING");
  asking.append(request);
  asking.timeout = request.timeout;
  auto answered = co_await to.exec_all(asking);
  refresh_if_down(answered);
  if (answered && !answered->empty()) answered->erase(answered->begin());
  co_return answered;
}

asio::awaitable<bool> ClusterClient::wait_connected(std::chrono::milliseconds timeout) {
  auto self = shared_from_this();
  const auto deadline = Clock::now() + timeout;
  asio::steady_timer poll{ex_};
  for (;;) {
    if (stopped_) co_return false;
    if (connected()) co_return true;
    if (have_map_) {
      const std::vector<Pool*> pools = primary_pools_;
      for (Pool* p : pools)
        if (!co_await p->wait_connected(left_until(deadline))) co_return false;
      continue;  // the map may have changed meanwhile: check again
    }
    if (Clock::now() >= deadline) co_return false;
    // No map yet: the refresher is asking; look again shortly.
    poll.expires_after(std::min(std::chrono::milliseconds{10}, left_until(deadline)));
    co_await poll.async_wait(kTuple);
  }
}

bool ClusterClient::connected() const noexcept {
  if (!have_map_ || primary_pools_.empty()) return false;
  for (const Pool* p : primary_pools_)
    if (!p->connected()) return false;
  return true;
}

std::size_t ClusterClient::in_flight() const noexcept {
  std::size_t n = 0;
  for (const auto& [address, pool] : pools_)
    for (std::size_t i = 0; i < pool->size(); ++i) n += pool->at(i).in_flight();
  return n;
}

const ConnectionStats& ClusterClient::stats() noexcept {
  ConnectionStats sum;
  sum.rejected = stats_.rejected;
  for (const auto& [address, pool] : pools_) {
    for (std::size_t i = 0; i < pool->size(); ++i) {
      const ConnectionStats& s = pool->at(i).stats();
      sum.connects += s.connects;
      sum.connect_failures += s.connect_failures;
      sum.requests += s.requests;
      sum.rejected += s.rejected;
      sum.timeouts += s.timeouts;
      sum.lost += s.lost;
      if (s.last_connect_error) sum.last_connect_error = s.last_connect_error;
    }
  }
  aggregate_ = sum;
  return aggregate_;
}

std::vector<Connection> ClusterClient::primaries() {
  std::vector<Connection> out;
  out.reserve(primary_pools_.size());
  for (Pool* p : primary_pools_) out.push_back(p->pick().handle());
  return out;
}

}  // namespace herald::redis
