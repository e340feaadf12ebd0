// Subscriber::Impl: a RedisSession in Pub/Sub mode.
//
// It keeps the wanted sets (channels, patterns, shard channels) as the truth and
// replays them after every reconnect. Confirmation of "everything sent so far" is a
// PING: Redis answers in order, so its reply (["pong",""] in subscribed mode, +PONG
// otherwise) means every earlier (un)subscribe was processed. The same trick marks
// the moment a reconnect is complete (state resubscribed).
#include <herald/redis/subscriber.hpp>

#include "redis/cluster_subscriber.hpp"
#include "redis/core/key_slot.hpp"
#include "redis/redis_session.hpp"

#include <herald/redis/request.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <spdlog/spdlog.h>

#include <deque>
#include <map>
#include <set>

namespace herald::redis {
namespace asio = boost::asio;
using boost::system::error_code;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

/// Appends `command ch1 ch2 ...` for the given names (nothing when empty: a bare
/// UNSUBSCRIBE would drop every subscription).
template <class Range>
void push_names(Request& req, std::string_view command, const Range& names) {
  if (std::ranges::empty(names)) return;
  req.push_range(command, {}, names);
}

/// SSUBSCRIBE / SUNSUBSCRIBE: one command per hash slot (a cluster node refuses a
/// command naming channels of several slots with -CROSSSLOT).
template <class Range>
void push_shard_names(Request& req, std::string_view command, const Range& names) {
  std::map<std::uint16_t, std::vector<std::string_view>> by_slot;
  for (const auto& n : names) by_slot[key_slot(n)].push_back(n);
  for (const auto& [slot, group] : by_slot) req.push_range(command, {}, group);
}

}  // namespace

class Subscriber::Impl final : public RedisSession {
 public:
  using Handler = asio::any_completion_handler<void(error_code)>;

  using RedisSession::RedisSession;

  MessageHandler on_message_;
  StateHandler on_state_;
  std::function<void(const Reply&)> on_control_;

  void change(std::set<std::string>& wanted, const std::vector<std::string>& names, bool add,
              std::string_view command) {
    std::vector<std::string> changed;
    for (const auto& n : names) {
      if (add ? wanted.insert(n).second : wanted.erase(n) > 0) changed.push_back(n);
    }
    if (!up() || changed.empty()) return;
    Request req;
    if (command.starts_with("SSUB") || command.starts_with("SUNSUB"))
      push_shard_names(req, command, changed);
    else
      push_names(req, command, changed);
    send(req.payload());
  }

  asio::awaitable<Result<void>> flush() {
    if (!up()) co_return Errc::not_connected;
    auto [ec] = co_await asio::async_initiate<decltype(kTuple), void(error_code)>(
        [this](auto handler) { ping(Handler{std::move(handler)}); }, kTuple);
    if (ec) co_return ec;
    co_return Result<void>{};
  }

  std::size_t count() const noexcept {
    return channels_.size() + patterns_.size() + shard_channels_.size();
  }

  std::set<std::string> channels_;
  std::set<std::string> patterns_;
  std::set<std::string> shard_channels_;

 private:
  void ping(Handler handler) {
    static const std::string kPing = [] {
      Request r;
      r.push("PING");
      return r.payload();
    }();
    pings_.push_back(std::move(handler));
    send(kPing);
  }

  void on_up() override {
    Request req;
    push_names(req, "SUBSCRIBE", channels_);
    push_names(req, "PSUBSCRIBE", patterns_);
    push_shard_names(req, "SSUBSCRIBE", shard_channels_);
    send(req.payload());
    const bool again = ever_up_;
    ever_up_ = true;
    // Announce only once Redis has confirmed every subscription (PING round trip).
    ping(Handler{[this, again](error_code ec) {
      if (!ec) emit(again ? SubscriberState::resubscribed : SubscriberState::connected);
    }});
  }

  error_code on_reply(Reply&& reply) override {
    if (reply.is_string() && reply.str == "PONG") return complete_ping();
    if (reply.is_error()) {
      // A cluster node's redirection is routine (the cluster subscriber follows it).
      const bool redirect = reply.str.starts_with("MOVED ") || reply.str.starts_with("ASK ");
      if (on_control_ && redirect)
        spdlog::debug("redis pub/sub {}: {}", config().url.redacted(), reply.str);
      else
        spdlog::warn("redis pub/sub {}: {}", config().url.redacted(), reply.str);
      if (on_control_) on_control_(reply);
      if (failover_reply(reply)) return make_error_code(Errc::not_master);
      return {};
    }
    if (!reply.is_array() || reply.elements.empty() || !reply.elements[0].is_string())
      return make_error_code(Errc::unexpected_reply);
    const auto& e = reply.elements;
    const std::string_view kind = e[0].str;
    if (kind == "message" || kind == "smessage") {
      if (e.size() != 3) return make_error_code(Errc::unexpected_reply);
      deliver({kind == "message" ? PubSubMessage::Kind::message : PubSubMessage::Kind::smessage,
               {},
               e[1].str,
               e[2].str});
    } else if (kind == "pmessage") {
      if (e.size() != 4) return make_error_code(Errc::unexpected_reply);
      deliver({PubSubMessage::Kind::pmessage, e[1].str, e[2].str, e[3].str});
    } else if (kind == "pong") {
      return complete_ping();
    } else if (kind == "sunsubscribe" && on_control_) {
      on_control_(reply);  // ours, or the server's when a slot migrated away
    }
    // subscribe/unsubscribe/... confirmations carry nothing we need: the PING after
    // them is the confirmation callers wait for.
    return {};
  }

  void on_down(error_code why) override {
    for (auto& handler : pings_) {
      asio::post(executor(), [h = std::move(handler), why]() mutable {
        std::move(h)(why == Errc::closed ? make_error_code(Errc::closed)
                                         : make_error_code(Errc::connection_lost));
      });
    }
    pings_.clear();
    if (why != Errc::closed) emit(SubscriberState::disconnected);
  }

  error_code complete_ping() {
    if (pings_.empty()) return {};  // a PONG nobody waits for: harmless
    Handler h = std::move(pings_.front());
    pings_.pop_front();
    // Posted, never called inline from the read loop (see connection.cpp).
    asio::post(executor(), [h = std::move(h)]() mutable { std::move(h)(error_code{}); });
    return {};
  }

  void deliver(const PubSubMessage& message) {
    if (on_message_) on_message_(message);
  }

  void emit(SubscriberState state) {
    if (on_state_) on_state_(state);
  }

  std::deque<Handler> pings_;
  bool ever_up_ = false;
};

Subscriber::Subscriber(executor_type executor, ConnectionConfig config) {
  if (config.url.is_cluster()) {
    cluster_ = std::make_shared<ClusterSubscriber>(std::move(executor), std::move(config));
    return;
  }
  impl_ = std::make_shared<Impl>(std::move(executor), std::move(config));
}

Subscriber::Subscriber(executor_type executor, ConnectionConfig config, ClassicOnly)
    : impl_(std::make_shared<Impl>(std::move(executor), std::move(config))) {}

Subscriber::~Subscriber() {
  if (cluster_) {
    cluster_->on_message_ = nullptr;
    cluster_->on_state_ = nullptr;
    cluster_->stop();
    return;
  }
  if (!impl_) return;
  // The Impl may outlive this handle (its loop holds it): no callbacks after this.
  impl_->on_message_ = nullptr;
  impl_->on_state_ = nullptr;
  impl_->on_control_ = nullptr;
  impl_->stop();
}

void Subscriber::on_message(MessageHandler handler) {
  if (cluster_) {
    cluster_->on_message_ = std::move(handler);
    return;
  }
  impl_->on_message_ = std::move(handler);
}
void Subscriber::on_state(StateHandler handler) {
  if (cluster_) {
    cluster_->on_state_ = std::move(handler);
    return;
  }
  impl_->on_state_ = std::move(handler);
}
void Subscriber::on_control(std::function<void(const Reply&)> handler) {
  impl_->on_control_ = std::move(handler);
}
void Subscriber::start() {
  if (cluster_) return cluster_->start();
  impl_->start();
}
void Subscriber::stop() {
  if (cluster_) return cluster_->stop();
  impl_->stop();
}

void Subscriber::subscribe(const std::vector<std::string>& channels) {
  if (cluster_) return cluster_->subscribe(channels, true);
  impl_->change(impl_->channels_, channels, true, "SUBSCRIBE");
}
void Subscriber::unsubscribe(const std::vector<std::string>& channels) {
  if (cluster_) return cluster_->subscribe(channels, false);
  impl_->change(impl_->channels_, channels, false, "UNSUBSCRIBE");
}
void Subscriber::psubscribe(const std::vector<std::string>& patterns) {
  if (cluster_) return cluster_->psubscribe(patterns, true);
  impl_->change(impl_->patterns_, patterns, true, "PSUBSCRIBE");
}
void Subscriber::punsubscribe(const std::vector<std::string>& patterns) {
  if (cluster_) return cluster_->psubscribe(patterns, false);
  impl_->change(impl_->patterns_, patterns, false, "PUNSUBSCRIBE");
}
void Subscriber::ssubscribe(const std::vector<std::string>& channels) {
  if (cluster_) return cluster_->ssubscribe(channels);
  impl_->change(impl_->shard_channels_, channels, true, "SSUBSCRIBE");
}
void Subscriber::sunsubscribe(const std::vector<std::string>& channels) {
  if (cluster_) return cluster_->sunsubscribe(channels);
  impl_->change(impl_->shard_channels_, channels, false, "SUNSUBSCRIBE");
}

asio::awaitable<Result<void>> Subscriber::flush() {
  if (cluster_) {
    auto cluster = cluster_;
    co_return co_await cluster->flush();
  }
  auto impl = impl_;
  co_return co_await impl->flush();
}

asio::awaitable<bool> Subscriber::wait_connected(std::chrono::milliseconds timeout) {
  if (cluster_) {
    auto cluster = cluster_;
    co_return co_await cluster->wait_connected(timeout);
  }
  auto impl = impl_;
  co_return co_await impl->wait_up(timeout);
}

bool Subscriber::connected() const noexcept {
  return cluster_ ? cluster_->connected() : impl_->up();
}
std::size_t Subscriber::subscription_count() const noexcept {
  return cluster_ ? cluster_->count() : impl_->count();
}

}  // namespace herald::redis
