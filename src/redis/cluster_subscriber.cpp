// ClusterSubscriber: sharded Pub/Sub placed by slot on a Redis Cluster; see
// cluster_subscriber.hpp.
#include "redis/cluster_subscriber.hpp"

#include "redis/core/key_slot.hpp"
#include "redis/core/redirect.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <spdlog/spdlog.h>

#include <algorithm>

namespace herald::redis {
namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
/// How often the placer looks again while channels wait for a home (no map yet, an
/// uncovered slot) or a node is down (a failover may have moved its slots).
constexpr std::chrono::milliseconds kRetry{50};
/// The classic session down this long (its seeds unreachable?): renew_classic().
constexpr std::chrono::milliseconds kRenewClassic{500};
}  // namespace

ClusterSubscriber::ClusterSubscriber(Subscriber::executor_type executor, ConnectionConfig config)
    : ex_(std::move(executor)),
      config_(std::move(config)),
      map_(std::make_shared<ClusterClient>(ex_, config_, 1)),
      classic_(new Subscriber(ex_, config_, Subscriber::ClassicOnly{})),
      wake_(ex_) {
  wake_.expires_at(asio::steady_timer::time_point::max());
  classic_seeds_ = config_.url.cluster;
  classic_down_since_ = Clock::now();
  attach(*classic_, {});
}

ClusterSubscriber::~ClusterSubscriber() {
  stop();
}

void ClusterSubscriber::attach(Subscriber& s, const std::string& address) {
  s.on_message([this](const PubSubMessage& m) {
    if (on_message_) on_message_(m);
  });
  s.on_state([this, address](SubscriberState state) { on_node_state(address, state); });
  if (!address.empty())
    s.on_control([this, address](const Reply& reply) { on_control(address, reply); });
}

void ClusterSubscriber::subscribe(const std::vector<std::string>& channels, bool add) {
  for (const auto& c : channels)
    add ? (void)classic_channels_.insert(c) : (void)classic_channels_.erase(c);
  add ? classic_->subscribe(channels) : classic_->unsubscribe(channels);
}

void ClusterSubscriber::psubscribe(const std::vector<std::string>& patterns, bool add) {
  for (const auto& p : patterns)
    add ? (void)classic_patterns_.insert(p) : (void)classic_patterns_.erase(p);
  add ? classic_->psubscribe(patterns) : classic_->punsubscribe(patterns);
}

void ClusterSubscriber::renew_classic() {
  std::vector<ClusterSeed> seeds = classic_seeds_;
  for (const auto& p : map_->primaries_known()) {
    ClusterSeed seed{p.host, p.port};
    if (std::find(seeds.begin(), seeds.end(), seed) == seeds.end()) seeds.push_back(seed);
  }
  if (seeds == classic_seeds_ || seeds.size() > RedisUrl::kMaxSentinels) return;
  spdlog::info("redis {}: Pub/Sub session unreachable through its seeds; trying the {} known nodes",
               config_.url.redacted(), seeds.size());
  classic_seeds_ = seeds;
  ConnectionConfig c = config_;
  c.url.cluster = std::move(seeds);
  c.url.host = c.url.cluster.front().host;
  c.url.port = c.url.cluster.front().port;
  classic_->stop();
  classic_.reset(new Subscriber(ex_, std::move(c), Subscriber::ClassicOnly{}));
  attach(*classic_, {});
  const std::vector<std::string> channels(classic_channels_.begin(), classic_channels_.end());
  const std::vector<std::string> patterns(classic_patterns_.begin(), classic_patterns_.end());
  if (!channels.empty()) classic_->subscribe(channels);
  if (!patterns.empty()) classic_->psubscribe(patterns);
  classic_down_since_ = Clock::now();
  classic_->start();
}

void ClusterSubscriber::start() {
  if (stopped_ || started_) return;
  started_ = true;
  map_->start();
  classic_->start();
  asio::co_spawn(ex_, placer(shared_from_this()), asio::detached);
}

void ClusterSubscriber::stop() {
  if (stopped_) return;
  stopped_ = true;
  classic_->stop();
  for (auto& [address, n] : nodes_) n.subscriber->stop();
  map_->stop();
  wake_.cancel();
}

ClusterSubscriber::Node& ClusterSubscriber::node(const ClusterNode& n) {
  std::string address = n.address();
  auto it = nodes_.find(address);
  if (it != nodes_.end()) return it->second;
  ConnectionConfig c = config_;
  c.url.cluster.clear();
  c.url.host = n.host;
  c.url.port = n.port;
  Node added;
  added.subscriber.reset(new Subscriber(ex_, std::move(c), Subscriber::ClassicOnly{}));
  attach(*added.subscriber, address);
  added.subscriber->start();
  return nodes_.emplace(std::move(address), std::move(added)).first->second;
}

bool ClusterSubscriber::node_has_channels(const std::string& address) const {
  for (const auto& [channel, at] : placed_)
    if (at == address) return true;
  return false;
}

void ClusterSubscriber::ssubscribe(const std::vector<std::string>& channels) {
  for (const auto& c : channels)
    if (!placed_.contains(c)) pending_.insert(c);
  place_pending();
}

void ClusterSubscriber::sunsubscribe(const std::vector<std::string>& channels) {
  for (const auto& c : channels) {
    pending_.erase(c);
    moving_.erase(c);
    auto it = placed_.find(c);
    if (it == placed_.end()) continue;
    const std::string address = it->second;
    placed_.erase(it);
    unsubscribe_at(address, c);
  }
  update_state();
}

void ClusterSubscriber::place_pending() {
  if (stopped_) return;
  bool missing = false;
  for (auto it = pending_.begin(); it != pending_.end();) {
    auto owner = map_->owner(key_slot(*it));
    if (!owner) {
      missing = true;
      ++it;
      continue;
    }
    Node& n = node(*owner);
    n.subscriber->ssubscribe({*it});
    placed_[*it] = owner->address();
    it = pending_.erase(it);
  }
  if (missing) map_->request_refresh();
  wake_.cancel();  // the placer confirms moved channels and retries the missing
}

void ClusterSubscriber::relocate(const std::string& address,
                                 const std::vector<std::string>& channels) {
  for (const auto& c : channels) {
    auto it = placed_.find(c);
    if (it == placed_.end() || it->second != address) continue;
    placed_.erase(it);
    spdlog::info("redis {}: shard channel {} left {} (slot {} moved); resubscribing",
                 config_.url.redacted(), c, address, key_slot(c));
    unsubscribe_at(address, c);
    pending_.insert(c);
    moving_.insert(c);
  }
  update_state();
  place_pending();
}

void ClusterSubscriber::unsubscribe_at(const std::string& address, const std::string& channel) {
  auto n = nodes_.find(address);
  if (n == nodes_.end()) return;
  // Sent only while connected (else the reconnect simply does not resubscribe it),
  // and then confirmed by a `sunsubscribe` reply we must not take for the server's.
  if (n->second.subscriber->connected()) ++own_unsubscribes_[address + " " + channel];
  n->second.subscriber->sunsubscribe({channel});
}

void ClusterSubscriber::on_control(const std::string& address, const Reply& reply) {
  // Posted: the node's read loop is calling us, and relocating sends on that node.
  asio::post(ex_, [self = shared_from_this(), address, reply] {
    if (self->stopped_) return;
    std::vector<std::string> channels;
    if (reply.is_error()) {
      auto redirect = Redirect::parse(reply.str);
      if (!redirect) return;
      for (const auto& [c, at] : self->placed_)
        if (at == address && key_slot(c) == redirect->slot) channels.push_back(c);
      // A SUNSUBSCRIBE of ours for that slot is answered this way too, not with a
      // confirmation: stop waiting for one.
      std::erase_if(self->own_unsubscribes_, [&](const auto& e) {
        return e.first.starts_with(address + " ") &&
               key_slot(std::string_view{e.first}.substr(address.size() + 1)) == redirect->slot;
      });
      if (redirect->kind == Redirect::Kind::moved) {
        ClusterNode to{redirect->host, redirect->port};
        if (to.host.empty()) to.host = address.substr(0, address.rfind(':'));
        self->map_->moved(redirect->slot, to);
      } else {
        self->map_->request_refresh();
      }
    } else if (reply.is_array() && reply.elements.size() >= 2 &&
               reply.elements[0].str == "sunsubscribe") {
      // A confirmation of ours, or the server dropping a channel whose slot migrated
      // away (relocate() ignores channels no longer placed here).
      auto own = self->own_unsubscribes_.find(address + " " + reply.elements[1].str);
      if (own != self->own_unsubscribes_.end()) {
        if (--own->second == 0) self->own_unsubscribes_.erase(own);
        return;
      }
      channels.push_back(reply.elements[1].str);
      self->map_->request_refresh();
    }
    self->relocate(address, channels);
  });
}

void ClusterSubscriber::on_node_state(const std::string& address, SubscriberState state) {
  const bool up = state != SubscriberState::disconnected;
  if (address.empty()) {
    if (classic_up_ && !up) classic_down_since_ = Clock::now();
    classic_up_ = up;
  } else if (auto it = nodes_.find(address); it != nodes_.end()) {
    it->second.up = up;
    it->second.ever_up = it->second.ever_up || up;
    if (!up)  // confirmations owed by the dead connection never come
      std::erase_if(own_unsubscribes_,
                    [&](const auto& e) { return e.first.starts_with(address + " "); });
    if (!up) map_->request_refresh();  // a failover may follow
  }
  wake_.cancel();
  update_state();
}

bool ClusterSubscriber::connected() const noexcept {
  if (!classic_up_ || !moving_.empty()) return false;
  for (const auto& [address, n] : nodes_)
    if (!n.up && n.ever_up && node_has_channels(address)) return false;
  return true;
}

void ClusterSubscriber::update_state() {
  const bool up = connected();
  if (up && !ever_connected_) {
    ever_connected_ = true;
    if (on_state_) on_state_(SubscriberState::connected);
  } else if (up && reported_down_) {
    reported_down_ = false;
    if (on_state_) on_state_(SubscriberState::resubscribed);
  } else if (!up && ever_connected_ && !reported_down_) {
    reported_down_ = true;
    if (on_state_) on_state_(SubscriberState::disconnected);
  }
}

void ClusterSubscriber::reconcile() {
  std::map<std::string, std::vector<std::string>> stale;
  for (const auto& [c, at] : placed_) {
    auto owner = map_->owner(key_slot(c));
    if (owner && owner->address() != at) stale[at].push_back(c);
  }
  for (const auto& [address, channels] : stale) relocate(address, channels);
}

asio::awaitable<void> ClusterSubscriber::placer(std::shared_ptr<ClusterSubscriber> self) {
  while (!stopped_) {
    bool node_down = false;
    for (const auto& [address, n] : nodes_)
      if (!n.up && n.ever_up && node_has_channels(address)) node_down = true;
    const bool classic_stuck = !classic_up_ && Clock::now() - classic_down_since_ >= kRenewClassic;
    if (classic_stuck) renew_classic();
    if (pending_.empty() && moving_.empty() && !node_down && classic_up_) {
      co_await wake_.async_wait(kTuple);  // cancelled on every change
      continue;
    }
    if (node_down) {  // a failover names a new owner once a replica is promoted
      map_->request_refresh();
      reconcile();
    }
    place_pending();
    // Confirm the moved channels on their new nodes (a -MOVED answering one puts it
    // back into pending_ before the PING after it is answered).
    if (!moving_.empty() && pending_.empty()) {
      std::set<std::string> confirming = moving_;
      std::set<std::string> addresses;
      for (const auto& c : confirming)
        if (auto it = placed_.find(c); it != placed_.end()) addresses.insert(it->second);
      bool all = true;
      for (const auto& address : addresses) {
        auto it = nodes_.find(address);
        if (it == nodes_.end() || !(co_await it->second.subscriber->flush())) all = false;
        if (stopped_) co_return;
      }
      if (all && pending_.empty()) {
        for (const auto& c : confirming)
          if (placed_.contains(c)) moving_.erase(c);
        update_state();
        continue;
      }
    }
    asio::steady_timer retry{ex_};
    retry.expires_after(kRetry);
    co_await retry.async_wait(kTuple);
  }
  (void)self;
}

asio::awaitable<Result<void>> ClusterSubscriber::flush() {
  auto self = shared_from_this();
  const auto deadline = Clock::now() + config_.request_timeout;
  asio::steady_timer poll{ex_};
  for (;;) {
    if (stopped_) co_return Errc::closed;
    bool connecting = false;  // a node's first connection: wait for it
    for (const auto& [address, n] : nodes_)
      if (!n.ever_up && node_has_channels(address)) connecting = true;
    if (pending_.empty() && moving_.empty() && !connecting) {
      auto r = co_await classic_->flush();
      if (!r) co_return r;
      std::vector<Subscriber*> subs;
      for (auto& [address, n] : nodes_)
        if (node_has_channels(address)) subs.push_back(n.subscriber.get());
      for (Subscriber* s : subs) {
        auto f = co_await s->flush();
        if (!f) co_return f;
      }
      if (pending_.empty() && moving_.empty()) co_return Result<void>{};
    }
    if (Clock::now() >= deadline) co_return Errc::timeout;
    poll.expires_after(std::chrono::milliseconds{5});
    co_await poll.async_wait(kTuple);
  }
}

asio::awaitable<bool> ClusterSubscriber::wait_connected(std::chrono::milliseconds timeout) {
  auto self = shared_from_this();
  const auto deadline = Clock::now() + timeout;
  asio::steady_timer poll{ex_};
  while (!connected()) {
    if (stopped_ || Clock::now() >= deadline) co_return false;
    poll.expires_after(std::chrono::milliseconds{10});
    co_await poll.async_wait(kTuple);
  }
  co_return true;
}

std::size_t ClusterSubscriber::count() const noexcept {
  return classic_->subscription_count() + placed_.size() + pending_.size();
}

}  // namespace herald::redis
