// DbWorker: the one thread and the one SQLite connection of the inventory app.
//
// SQLite calls block (disk I/O, fsync on commit), so they never run on an
// io_context thread: run(fn) executes fn(sqlite3*) on the worker's own thread and
// resumes the awaiting coroutine on its own executor. One thread and one connection
// serialise every statement, so the store needs no locking and a transaction is
// never interleaved with another caller's statements.
//
// Thread: run() may be called from any executor. The connection is touched only on
// the worker thread (after the constructor returns).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <string>
#include <type_traits>
#include <utility>

struct sqlite3;

namespace herald::inventory {

class DbWorker {
 public:
  /// Opens (creating) the database file with WAL journaling, foreign keys on and a
  /// 5 s busy timeout. Throws std::runtime_error naming the file when it cannot be
  /// opened. Blocking: call at start-up, never on an event loop.
  explicit DbWorker(const std::string& path);
  /// Waits for the work already queued, then closes the connection.
  ~DbWorker();
  DbWorker(const DbWorker&) = delete;
  DbWorker& operator=(const DbWorker&) = delete;

  /// Runs fn(sqlite3*) on the worker thread; the awaiting coroutine resumes on its
  /// own executor with fn's result. fn must not throw (catch inside: the store turns
  /// failures into StoreFailure) and must return a value. Cost: two thread hops.
  template <class F>
  auto run(F fn) -> boost::asio::awaitable<std::invoke_result_t<F&, sqlite3*>> {
    using R = std::invoke_result_t<F&, sqlite3*>;
    static_assert(!std::is_void_v<R>, "DbWorker::run: fn must return a value");
    // The lambda object lives in the spawned coroutine's frame until it completes.
    return boost::asio::co_spawn(
        pool_.get_executor(),
        [db = db_, fn = std::move(fn)]() mutable -> boost::asio::awaitable<R> { co_return fn(db); },
        boost::asio::use_awaitable);
  }

  const std::string& path() const noexcept { return path_; }

 private:
  std::string path_;
  sqlite3* db_ = nullptr;
  boost::asio::thread_pool pool_{1};
};

}  // namespace herald::inventory
