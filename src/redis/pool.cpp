// Pool: N Connections and the choice of which one carries the next request.
#include <herald/redis/pool.hpp>
#include <herald/redis/tls_context.hpp>

#include <algorithm>

#include <boost/asio/steady_timer.hpp>

namespace herald::redis {
namespace asio = boost::asio;

Pool::Pool(const Connection::executor_type& executor, const ConnectionConfig& config,
           std::size_t size) {
  if (size == 0) size = 1;
  // One TLS context for the whole pool when the caller has not made one (a failure
  // is left to each connection, which logs it and fails its connects).
  ConnectionConfig shared = config;
  if (!prepare_tls(shared).empty()) shared.tls.reset();
  if (shared.url.is_cluster()) {
    // One cluster client holding `size` connections to each primary: one slot map,
    // and pick() has nothing to choose.
    connections_.push_back(
        std::unique_ptr<Connection>(new Connection(executor, std::move(shared), size)));
    return;
  }
  connections_.reserve(size);
  for (std::size_t i = 0; i < size; ++i)
    connections_.push_back(std::make_unique<Connection>(executor, shared));
}

void Pool::start() {
  for (auto& c : connections_) c->start();
}

void Pool::stop() {
  for (auto& c : connections_) c->stop();
}

Connection& Pool::pick() noexcept {
  // Least in flight among connected ones, starting the scan at a rotating index so
  // that equally loaded connections share the work. Cost: O(size), size is small.
  const std::size_t n = std::max<std::size_t>(connections_.size(), 1);  // never 0: see ctor
  Connection* best = nullptr;
  for (std::size_t k = 0; k < n; ++k) {
    Connection& c = *connections_[(next_ + k) % n];
    if (!c.connected()) continue;
    if (best == nullptr || c.in_flight() < best->in_flight()) best = &c;
  }
  next_ = (next_ + 1) % n;
  return best != nullptr ? *best : *connections_[next_];
}

asio::awaitable<Result<Reply>> Pool::exec(const Request& request) {
  return pick().exec(request);
}

asio::awaitable<Result<std::vector<Reply>>> Pool::exec_all(const Request& request) {
  return pick().exec_all(request);
}

asio::awaitable<bool> Pool::wait_connected(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (auto& c : connections_) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() < 0) left = std::chrono::milliseconds{0};
    if (!co_await c->wait_connected(left)) co_return false;
  }
  co_return true;
}

bool Pool::connected() const noexcept {
  for (const auto& c : connections_)
    if (c->connected()) return true;
  return false;
}

}  // namespace herald::redis
