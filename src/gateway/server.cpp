// Server: builds the shards, the engine and the listener, and runs the graceful
// drain. The listener's acceptor lives on shard 0 and hands each accepted socket
// round-robin to a shard, where its whole life is spent.
#include <herald/gateway/server.hpp>

#include <herald/realtime/memory_engine.hpp>

#include "gateway/admin_stats_feed.hpp"
#include "gateway/connection.hpp"
#include "gateway/http_session.hpp"
#include "gateway/log_throttle.hpp"
#include "gateway/server_context.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <future>
#include <random>
#include <stdexcept>
#include <thread>

namespace herald::gateway {

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;

namespace {

// Hands the engine's deliveries to the shards. The engine calls deliver() for one
// channel under that channel's lock, and Shard::enqueue_delivery() keeps call order,
// so each shard sees a channel in offset order.
class ShardSink final : public realtime::DeliverySink {
 public:
  explicit ShardSink(std::vector<std::unique_ptr<Shard>>& shards) : shards_(shards) {}
  void deliver(std::size_t shard, const realtime::PublicationPtr& publication) override {
    shards_[shard]->enqueue_delivery(publication);
  }
  /// With one shard, its io_context: an engine doing I/O there (the Redis engine)
  /// hands publishes and deliveries over without waking another thread.
  boost::asio::io_context* engine_context() noexcept override {
    return shards_.size() == 1 ? &shards_.front()->context() : nullptr;
  }
  void disconnect_user(const std::string& user) override {
    for (auto& shard : shards_) {
      boost::asio::post(shard->context(), [s = shard.get(), user] {
        s->close_user(user, 4003, "disconnected", false);
      });
    }
  }

 private:
  std::vector<std::unique_ptr<Shard>>& shards_;
};

std::string random_prefix() {
  std::mt19937_64 rng{std::random_device{}()};
  static constexpr char hex[] = "0123456789abcdef";
  std::string out(8, '0');
  auto v = rng();
  for (char& c : out) {
    c = hex[v & 0xF];
    v >>= 4;
  }
  return out;
}

/// `threads` shards, or by default one per core but one: the cache's thread (and,
/// where Herald sits next to its app, the app) needs a core too. With a shard on every
/// core, the shards, the cache's thread and a co-located process share the cores
/// and each waits its turn: on 2 cores with the load generator beside it, 2 shards
/// served 47k hits/s at p99 4.6 ms where 1 shard served 64-72k at p99 1.6 ms
/// (docs/benchmarks.md, "Shards per core").
/// A node name usable in a channel name (`herald:admin:stats:<name>`): characters outside
/// the channel alphabet become `_`, at most 64.
std::string admin_node_name(std::string_view id) {
  std::string out(id.substr(0, 64));
  for (char& c : out) {
    if (!valid_channel_name(std::string_view(&c, 1))) c = '_';
  }
  return out;
}

std::size_t shard_count(unsigned threads) {
  if (threads != 0) return threads;
  const unsigned n = std::thread::hardware_concurrency();
  return n <= 1 ? 1 : n - 1;
}

}  // namespace

struct Server::Impl {
  explicit Impl(GatewayOptions options)
      : ctx(std::move(options), shard_count(options.threads)), sink(ctx.shards) {}

  ~Impl() {
    // Sessions (coroutine frames held by the io_contexts) go before the engine; I/O
    // objects bound to shard 0 go before its io_context.
    for (auto& s : ctx.shards) s->stop();
    for (auto& s : ctx.shards) s->join();
    // An engine on shard 0's io_context destroys its I/O objects before that goes.
    if (ctx.engine) ctx.engine->shutdown();
    acceptor.reset();
    sweep_timer.reset();
    admin_feed.reset();
    ctx.shards.clear();
  }

  awaitable<void> accept_loop();
  awaitable<void> sweep_loop();

  ServerContext ctx;
  ShardSink sink;
  std::optional<asio::ip::tcp::acceptor> acceptor;
  std::optional<asio::steady_timer> sweep_timer;
  std::optional<AdminStatsFeed> admin_feed;
  std::uint16_t port = 0;
  bool started = false;
  bool stopped = false;
};

Server::Server(GatewayOptions options) {
  if (auto problem = ChannelRules::validate(options.channels))
    throw std::invalid_argument(*problem);
  std::size_t shards = shard_count(options.threads);
  impl_ = std::make_unique<Impl>(std::move(options));
  ServerContext& ctx = impl_->ctx;
  ctx.id_prefix = random_prefix();
  if (AdminGate::enabled(ctx.options)) {
    ctx.admin = std::make_unique<AdminGate>(ctx.options, ctx.access);
    ctx.node_name =
        admin_node_name(ctx.options.node_id.empty() ? ctx.id_prefix : ctx.options.node_id);
    ctx.admin_channel = std::string(admin_channel_prefix) + "stats:" + ctx.node_name;
  }
  for (std::size_t i = 0; i < shards; ++i)
    ctx.shards.push_back(std::make_unique<Shard>(i, ctx.metrics.shard(i), ctx.options.write_delay));
  if (ctx.options.engine_factory) {
    ctx.engine = ctx.options.engine_factory(impl_->sink, shards);
  } else {
    realtime::MemoryEngineOptions mo;
    mo.shards = shards;
    mo.history_size = [&rules = ctx.rules](std::string_view c) { return rules.history_size(c); };
    mo.history_ttl = ctx.options.history_ttl;
    auto engine = std::make_unique<realtime::MemoryEngine>(std::move(mo), impl_->sink);
    ctx.memory_engine = engine.get();
    ctx.engine = std::move(engine);
  }
}

Server::~Server() {
  shutdown();
}

std::uint16_t Server::port() const noexcept {
  return impl_->port;
}

realtime::Engine& Server::engine() noexcept {
  return *impl_->ctx.engine;
}

void Server::start() {
  ServerContext& ctx = impl_->ctx;
  Shard& first = *ctx.shards.front();
  asio::ip::tcp::resolver resolver(first.context());
  auto endpoints =
      resolver.resolve(ctx.options.listen_host, std::to_string(ctx.options.listen_port),
                       asio::ip::resolver_base::passive);
  asio::ip::tcp::endpoint endpoint = endpoints.begin()->endpoint();
  auto& acceptor = impl_->acceptor.emplace(first.context());
  acceptor.open(endpoint.protocol());
  acceptor.set_option(asio::socket_base::reuse_address(true));
  acceptor.bind(endpoint);
  acceptor.listen(asio::socket_base::max_listen_connections);
  impl_->port = acceptor.local_endpoint().port();
  impl_->started = true;
  asio::co_spawn(first.context(), impl_->accept_loop(), asio::detached);
  if (ctx.memory_engine) {
    impl_->sweep_timer.emplace(first.context());
    asio::co_spawn(first.context(), impl_->sweep_loop(), asio::detached);
  }
  if (ctx.admin) {
    impl_->admin_feed.emplace(ctx);
    asio::co_spawn(first.context(), impl_->admin_feed->run(), asio::detached);
  }
  for (auto& s : ctx.shards) s->start();
  if (ctx.admin)
    spdlog::info("admin console on {}/admin/ (node {})", ctx.options.route_prefix, ctx.node_name);
  spdlog::info("herald listening on {}:{} ({} shards, engine {})", ctx.options.listen_host,
               impl_->port, ctx.shards.size(), ctx.engine->name());
}

awaitable<void> Server::Impl::accept_loop() {
  std::size_t next = 0;
  LogThrottle failure_log{std::chrono::seconds(10)};
  while (acceptor && acceptor->is_open()) {
    Shard& target = *ctx.shards[next++ % ctx.shards.size()];
    boost::system::error_code ec;
    asio::ip::tcp::socket socket =
        co_await acceptor->async_accept(target.context(), asio::redirect_error(use_awaitable, ec));
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptor->is_open()) break;
      // Out of descriptors and the like: back off briefly, keep serving; one log line
      // per interval, not one per back-off.
      ctx.shards.front()->metrics().accept_failures.fetch_add(1, std::memory_order_relaxed);
      if (auto held = failure_log.allow()) {
        spdlog::warn("accept failed: {} ({} more failures since the last line)", ec.message(),
                     *held);
      }
      asio::steady_timer pause(acceptor->get_executor(), std::chrono::milliseconds(50));
      co_await pause.async_wait(asio::redirect_error(use_awaitable, ec));
      continue;
    }
    asio::co_spawn(target.context(), run_http_session(ctx, target, std::move(socket)),
                   asio::detached);
  }
}

awaitable<void> Server::Impl::sweep_loop() {
  boost::system::error_code ec;
  while (!ctx.stopping.load()) {
    sweep_timer->expires_after(std::chrono::seconds(5));
    co_await sweep_timer->async_wait(asio::redirect_error(use_awaitable, ec));
    if (ec) break;
    ctx.memory_engine->sweep();
  }
}

void Server::shutdown() {
  if (!impl_ || impl_->stopped) return;
  impl_->stopped = true;
  ServerContext& ctx = impl_->ctx;
  if (!impl_->started) return;
  ctx.stopping = true;
  std::size_t open = ctx.connections.load();
  spdlog::info("shutting down: draining {} connections", open);
  // Stop accepting before anything else, on the acceptor's own thread, and wait for
  // it: a listening socket left open would keep completing TCP handshakes.
  std::promise<void> closed;
  asio::post(ctx.shards.front()->context(), [this, &closed] {
    boost::system::error_code ec;
    impl_->acceptor->close(ec);
    if (impl_->sweep_timer) impl_->sweep_timer->cancel();
    if (impl_->admin_feed) impl_->admin_feed->stop();
    closed.set_value();
  });
  closed.get_future().wait();
  for (auto& s : ctx.shards) {
    asio::post(s->context(), [shard = s.get()] { shard->close_all(3001, "shutdown", true); });
  }
  auto deadline = std::chrono::steady_clock::now() + ctx.options.shutdown_grace;
  while (ctx.connections.load() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (std::size_t left = ctx.connections.load(); left > 0) {
    spdlog::warn("shutdown: {} connections did not close in time; dropping them", left);
  }
  for (auto& s : ctx.shards) s->stop();
  for (auto& s : ctx.shards) s->join();
  if (ctx.engine) ctx.engine->shutdown();
  spdlog::info("shutdown complete");
}

}  // namespace herald::gateway
