// Connection::Impl: a RedisSession whose replies are matched, in order, to the
// requests waiting for them (PipelineQueue), plus a watchdog for request timeouts.
//
// Completion: every caller is completed by a post to the connection's executor
// (which is the caller's, by contract), never inline; see complete().
#include <herald/redis/connection.hpp>

#include "redis/cluster_client.hpp"
#include "redis/core/pipeline_queue.hpp"
#include "redis/redis_session.hpp"
#include "redis/session_connect.hpp"

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace herald::redis {
namespace asio = boost::asio;
using boost::system::error_code;
using Clock = std::chrono::steady_clock;

namespace {
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
}  // namespace

class Connection::Impl final : public RedisSession {
 public:
  using Handler = asio::any_completion_handler<void(error_code, std::vector<Reply>)>;

  Impl(executor_type ex, ConnectionConfig config)
      : RedisSession(std::move(ex), std::move(config)), watchdog_timer_(executor()) {}

  void start_all() {
    if (started_) return;
    started_ = true;
    start();
    auto self = std::static_pointer_cast<Impl>(shared_from_this());
    asio::co_spawn(executor(), watchdog(self), asio::detached);
  }

  void stop_all() {
    stop();
    watchdog_timer_.cancel();
  }

  asio::awaitable<Result<std::vector<Reply>>> exec_all(const Request& request) {
    auto self = shared_from_this();  // alive until the answer, whoever drops the Connection
    if (!up()) {
      ++stats_.rejected;
      co_return Errc::not_connected;
    }
    if (request.empty()) co_return std::vector<Reply>{};
    const auto timeout = request.timeout.count() > 0 ? request.timeout : config().request_timeout;
    const auto deadline = Clock::now() + timeout;
    // The bytes are copied before the first suspension: the caller's Request may
    // go away while we wait.
    auto [ec, replies] =
        co_await asio::async_initiate<decltype(kTuple), void(error_code, std::vector<Reply>)>(
            [this, &request, deadline](auto handler) {
              pipeline_.push(request.size(), deadline, Handler{std::move(handler)});
              send(request.payload());
              ++stats_.requests;
              if (deadline < watchdog_at_) watchdog_timer_.cancel();  // re-arm earlier
            },
            kTuple);
    if (ec) co_return ec;
    co_return std::move(replies);
  }

  std::size_t in_flight() const noexcept { return pipeline_.size(); }
  ConnectionStats& stats() noexcept {
    stats_.connects = connects();
    stats_.connect_failures = connect_failures();
    stats_.last_connect_error = last_connect_error();
    return stats_;
  }

 private:
  void on_up() override {}

  error_code on_reply(Reply&& reply) override {
    const bool failover = failover_reply(reply);
    bool unexpected = false;
    auto done = pipeline_.on_reply(std::move(reply), unexpected);
    if (unexpected) return make_error_code(Errc::protocol_error);
    if (done) complete(std::move(done->handler), error_code{}, std::move(done->replies));
    // The caller has its -READONLY; the rest in flight fail as connection_lost.
    if (failover) return make_error_code(Errc::not_master);
    return {};
  }

  /// Completes a caller by posting to its executor, never inline: resuming one
  /// coroutine from inside another's resumption (the read loop's) is not re-entrant
  /// in Asio's awaitable machinery; under load it lost a later wake-up of the read
  /// loop (a reply that arrived but never completed its request). One post per
  /// request, not per command: pipelined batches amortise it.
  void complete(Handler handler, error_code ec, std::vector<Reply> replies) {
    asio::post(executor(), [h = std::move(handler), ec, r = std::move(replies)]() mutable {
      std::move(h)(ec, std::move(r));
    });
  }

  void on_down(error_code why) override {
    Errc errc = Errc::connection_lost;
    if (why == Errc::closed) errc = Errc::closed;
    if (why == Errc::protocol_error) errc = Errc::protocol_error;
    for (auto& handler : pipeline_.fail_all()) {
      if (errc == Errc::connection_lost) ++stats_.lost;
      asio::post(executor(), [h = std::move(handler), errc]() mutable {
        std::move(h)(make_error_code(errc), std::vector<Reply>{});
      });
    }
  }

  asio::awaitable<void> watchdog(std::shared_ptr<Impl> self) {
    while (!stopped()) {
      auto earliest = pipeline_.earliest_deadline();
      watchdog_at_ = earliest ? *earliest : Clock::time_point::max();
      watchdog_timer_.expires_at(watchdog_at_);
      co_await watchdog_timer_.async_wait(kTuple);
      if (stopped()) break;
      for (auto& handler : pipeline_.expire(Clock::now())) {
        ++stats_.timeouts;
        complete(std::move(handler), make_error_code(Errc::timeout), std::vector<Reply>{});
      }
    }
    (void)self;
  }

  PipelineQueue<Handler> pipeline_;
  asio::steady_timer watchdog_timer_;
  Clock::time_point watchdog_at_ = Clock::time_point::max();
  ConnectionStats stats_;
  bool started_ = false;
};

Connection::Connection(executor_type executor, ConnectionConfig config)
    : Connection(std::move(executor), std::move(config), 1) {}

Connection::Connection(executor_type executor, ConnectionConfig config, std::size_t per_node) {
  if (config.url.is_cluster())
    cluster_ = std::make_shared<ClusterClient>(std::move(executor), std::move(config), per_node);
  else
    impl_ = std::make_shared<Impl>(std::move(executor), std::move(config));
}

Connection::~Connection() {
  if (!owner_) return;
  if (impl_) impl_->stop_all();
  if (cluster_) cluster_->stop();
}

Connection Connection::handle() const {
  return Connection{impl_, cluster_, false};
}

void Connection::start() {
  if (cluster_) return cluster_->start();
  impl_->start_all();
}
void Connection::stop() {
  if (cluster_) return cluster_->stop();
  impl_->stop_all();
}

// Not a coroutine: it hands out the awaitable of the client that does the work, so a
// request costs no extra frame here. Each of those keeps itself alive across its
// suspensions (shared_from_this), as this wrapper used to.
asio::awaitable<Result<std::vector<Reply>>> Connection::exec_all(const Request& request) {
  if (cluster_) return cluster_->exec_all(request);
  return impl_->exec_all(request);
}

asio::awaitable<Result<Reply>> Connection::exec(const Request& request) {
  auto replies = co_await exec_all(request);
  if (!replies) co_return replies.error();
  if (replies->empty()) co_return Reply{};
  co_return std::move(replies->back());
}

asio::awaitable<bool> Connection::wait_connected(std::chrono::milliseconds timeout) {
  if (cluster_) {
    auto cluster = cluster_;
    co_return co_await cluster->wait_connected(timeout);
  }
  auto impl = impl_;
  co_return co_await impl->wait_up(timeout);
}

std::vector<Connection> Connection::nodes() const {
  if (cluster_) return cluster_->primaries();
  std::vector<Connection> out;
  out.push_back(handle());
  return out;
}

bool Connection::connected() const noexcept {
  return cluster_ ? cluster_->connected() : impl_->up();
}
Topology Connection::topology() const {
  if (cluster_) return cluster_->topology();
  const RedisUrl& url = impl_->config().url;
  if (url.is_sentinel()) return sentinel_topology(url);
  Topology t;
  t.primaries.push_back(url.transport == RedisUrl::Transport::unix_socket
                            ? url.path
                            : ClusterNode{url.host, url.port}.address());
  return t;
}
std::size_t Connection::in_flight() const noexcept {
  return cluster_ ? cluster_->in_flight() : impl_->in_flight();
}
const ConnectionStats& Connection::stats() const noexcept {
  return cluster_ ? cluster_->stats() : impl_->stats();
}
Connection::executor_type Connection::get_executor() const noexcept {
  return cluster_ ? cluster_->executor() : impl_->executor();
}

}  // namespace herald::redis
