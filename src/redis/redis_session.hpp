// RedisSession: the connection life cycle shared by Connection and Subscriber.
//
// It owns the stream (plain or TLS) and runs the loop: connect + handshake (connect_session), read
// and decode replies until the socket dies, back off (capped exponential + jitter),
// reconnect; until stop(). What replies mean is the subclass's business, through
// three hooks called on the session's executor:
//   on_up()          a session is established; the subclass may send() at once.
//   on_reply(reply)  one decoded reply; returning an error drops the connection
//                    (see failover_reply() for a Sentinel master that was demoted).
//   on_down(why)     the session ended (why == Errc::closed after stop()).
// Sentinel URLs: while up, a second connection (to a sentinel) waits for
// +switch-master and drops the session when the master changes.
// Writes: send() appends to one buffer; a writer coroutine per session writes it
// out, everything appended during a write going out in the next single write.
//
// Thread: everything runs on the one executor given to the constructor.
// Lifetime: the loop's coroutines hold a shared_ptr to the session; a subclass
// object therefore lives until its loop has ended, even after its handle is gone.
#pragma once

#include "redis/core/backoff.hpp"
#include "redis/core/resp_reader.hpp"
#include "redis/session_connect.hpp"

#include <herald/redis/config.hpp>
#include <herald/redis/reply.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <string_view>

namespace herald::redis {

class RedisSession : public std::enable_shared_from_this<RedisSession> {
 public:
  using executor_type = boost::asio::any_io_executor;

  RedisSession(executor_type executor, ConnectionConfig config);
  virtual ~RedisSession() = default;
  RedisSession(const RedisSession&) = delete;
  RedisSession& operator=(const RedisSession&) = delete;

  /// Starts the connect loop. Idempotent.
  void start();
  /// Closes the socket and ends the loop; on_down(Errc::closed) follows. Idempotent.
  void stop();

  bool up() const noexcept { return state_ == State::up; }
  bool stopped() const noexcept { return state_ == State::stopped; }
  boost::asio::awaitable<bool> wait_up(std::chrono::milliseconds timeout);

  const executor_type& executor() const noexcept { return ex_; }
  const ConnectionConfig& config() const noexcept { return config_; }
  std::uint64_t connects() const noexcept { return connects_; }
  std::uint64_t connect_failures() const noexcept { return connect_failures_; }
  const boost::system::error_code& last_connect_error() const noexcept {
    return last_connect_error_;
  }

 protected:
  /// Queues RESP bytes for the current session. Call only while up().
  void send(std::string_view bytes);

  /// True for an error reply that says the server is not the master any more
  /// (-READONLY: demoted to a replica; -LOADING: restarted) on a redis+sentinel://
  /// URL. on_reply returns Errc::not_master for it (after handing the reply to its
  /// caller), so the session drops and reconnects through the sentinels. On a plain
  /// URL reconnecting to the same address would not help: false.
  bool failover_reply(const Reply& reply) const noexcept;

  virtual void on_up() = 0;
  virtual boost::system::error_code on_reply(Reply&& reply) = 0;
  virtual void on_down(boost::system::error_code why) = 0;

 private:
  enum class State { idle, connecting, up, stopped };

  boost::asio::awaitable<void> run(std::shared_ptr<RedisSession> self);
  boost::asio::awaitable<boost::system::error_code> read_loop();
  boost::asio::awaitable<void> writer(std::shared_ptr<RedisSession> self, std::uint64_t generation);
  /// redis+sentinel:// while up: waits for +switch-master (wait_switch_master) and
  /// drops the session then, so it reconnects through the sentinels at once, even
  /// when the old master hangs without closing the connection.
  boost::asio::awaitable<void> watch_failover(std::shared_ptr<RedisSession> self,
                                              std::uint64_t generation);
  void end_watch() noexcept;
  void close_socket() noexcept;
  void wake_waiters() noexcept;

  executor_type ex_;
  ConnectionConfig config_;
  RedisStream stream_;
  std::unique_ptr<RespReader> reader_;
  std::string write_buffer_;
  boost::asio::steady_timer write_signal_;
  boost::asio::steady_timer backoff_timer_;
  Backoff backoff_;
  std::list<boost::asio::steady_timer*> waiters_;
  State state_ = State::idle;
  std::uint64_t generation_ = 0;  ///< counts sessions; an old writer sees it move on
  std::uint64_t connects_ = 0;
  std::uint64_t connect_failures_ = 0;
  boost::system::error_code last_connect_error_;
  /// The running watch_failover's stream and cancel flag (null when none runs).
  RedisStream* watch_stream_ = nullptr;
  std::shared_ptr<bool> watch_cancelled_;
};

}  // namespace herald::redis
