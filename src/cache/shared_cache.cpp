// SharedCache: see shared_cache.hpp. Each operation is the Cache's coroutine, made on
// the caller's thread (making it touches nothing but the Impl's reference count) and
// co_spawned onto the cache thread; co_spawn's completion resumes the caller on its
// own executor.
#include <herald/cache/shared_cache.hpp>

#include <herald/redis/pool.hpp>
#include <herald/redis/tls_context.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <future>
#include <stdexcept>
#include <thread>

namespace herald::cache {
namespace asio = boost::asio;

struct SharedCache::State {
  asio::io_context io{1};
  asio::executor_work_guard<asio::io_context::executor_type> work = asio::make_work_guard(io);
  std::unique_ptr<redis::Pool> pool;
  std::optional<Cache> cache;
  std::thread thread;
  bool stopped = false;
};

SharedCache::SharedCache(CacheConfig config, std::optional<redis::ConnectionConfig> redis,
                         std::size_t pool_size)
    : state_(std::make_unique<State>()) {
  if (redis) {
    // One TLS context for the pool and the bus.
    if (std::string why = redis::prepare_tls(*redis); !why.empty())
      throw std::invalid_argument("the cache's Redis: " + why);
    state_->pool = std::make_unique<redis::Pool>(state_->io.get_executor(), *redis, pool_size);
  }
  state_->cache.emplace(state_->io.get_executor(), std::move(config), state_->pool.get(),
                        std::move(redis));
}

SharedCache::~SharedCache() {
  stop();
}

void SharedCache::start() {
  State& s = *state_;
  if (s.thread.joinable() || s.stopped) return;
  s.thread = std::thread([&s] { s.io.run(); });
  asio::post(s.io, [&s] {
    if (s.pool) s.pool->start();
    s.cache->start();
  });
}

void SharedCache::stop() {
  State& s = *state_;
  if (s.stopped) return;
  s.stopped = true;
  if (!s.thread.joinable()) {
    s.cache->stop();
    if (s.pool) s.pool->stop();
    return;
  }
  // Stop everything on its own thread, then let the loop run out.
  std::promise<void> stopped;
  asio::post(s.io, [&s, &stopped] {
    s.cache->stop();
    if (s.pool) s.pool->stop();
    stopped.set_value();
  });
  stopped.get_future().wait();
  s.work.reset();
  s.io.stop();
  s.thread.join();
}

asio::any_io_executor SharedCache::executor() noexcept {
  return state_->io.get_executor();
}
Cache& SharedCache::cache() noexcept {
  return *state_->cache;
}
redis::Pool* SharedCache::pool() noexcept {
  return state_->pool.get();
}

// Each: the operation is built outside the co_await (g++ 12 mishandles temporaries
// there), run on the cache thread, and awaited from the caller's executor.
asio::awaitable<Result<CacheValue>> SharedCache::get_or_set(std::string key, Loader loader,
                                                            CachePolicy policy) {
  auto op = asio::co_spawn(executor(),
                           cache().get_or_set(std::move(key), std::move(loader), std::move(policy)),
                           asio::use_awaitable);
  co_return co_await std::move(op);
}

asio::awaitable<std::optional<CacheValue>> SharedCache::get(std::string key, CachePolicy policy) {
  auto op = asio::co_spawn(executor(), cache().get(std::move(key), std::move(policy)),
                           asio::use_awaitable);
  co_return co_await std::move(op);
}

asio::awaitable<void> SharedCache::set(std::string key, std::string value, CachePolicy policy) {
  auto op =
      asio::co_spawn(executor(), cache().set(std::move(key), std::move(value), std::move(policy)),
                     asio::use_awaitable);
  co_await std::move(op);
}

asio::awaitable<Result<void>> SharedCache::remove(std::string key) {
  auto op = asio::co_spawn(executor(), cache().remove(std::move(key)), asio::use_awaitable);
  co_return co_await std::move(op);
}

asio::awaitable<Result<std::size_t>> SharedCache::invalidate_tags(std::vector<std::string> tags) {
  auto op =
      asio::co_spawn(executor(), cache().invalidate_tags(std::move(tags)), asio::use_awaitable);
  co_return co_await std::move(op);
}

asio::awaitable<Result<std::size_t>> SharedCache::invalidate_namespace(std::string ns) {
  auto op =
      asio::co_spawn(executor(), cache().invalidate_namespace(std::move(ns)), asio::use_awaitable);
  co_return co_await std::move(op);
}

asio::awaitable<Result<std::size_t>> SharedCache::clear() {
  auto op = asio::co_spawn(executor(), cache().clear(), asio::use_awaitable);
  co_return co_await std::move(op);
}

}  // namespace herald::cache
