// RedisSession: the connect / read / write / back off loop (see redis_session.hpp).
#include "redis/redis_session.hpp"

#include <herald/redis/error.hpp>
#include <herald/redis/tls_context.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <spdlog/spdlog.h>

#include <vector>

namespace herald::redis {
namespace asio = boost::asio;
using boost::system::error_code;

namespace {
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
}  // namespace

RedisSession::RedisSession(executor_type executor, ConnectionConfig config)
    : ex_(std::move(executor)),
      config_(std::move(config)),
      stream_(ex_),
      write_signal_(ex_),
      backoff_timer_(ex_),
      backoff_(config_.reconnect_min, config_.reconnect_max) {
  // Callers that make many connections to one URL share a context (prepare_tls once);
  // one made here serves this session's reconnects.
  if (std::string why = prepare_tls(config_); !why.empty())
    spdlog::error("redis {}: {}", config_.url.redacted(), why);
}

void RedisSession::start() {
  if (state_ != State::idle) return;
  state_ = State::connecting;
  asio::co_spawn(ex_, run(shared_from_this()), asio::detached);
}

void RedisSession::stop() {
  if (state_ == State::stopped) return;
  const bool was_running = state_ != State::idle;
  state_ = State::stopped;
  end_watch();
  close_socket();
  backoff_timer_.cancel();
  write_signal_.cancel();
  write_buffer_.clear();
  wake_waiters();
  if (was_running) on_down(make_error_code(Errc::closed));
}

asio::awaitable<bool> RedisSession::wait_up(std::chrono::milliseconds timeout) {
  if (state_ == State::up) co_return true;
  if (state_ == State::stopped) co_return false;
  auto self = shared_from_this();
  asio::steady_timer timer{ex_};
  timer.expires_after(timeout);
  auto it = waiters_.insert(waiters_.end(), &timer);
  co_await timer.async_wait(kTuple);
  waiters_.erase(it);
  co_return state_ == State::up;
}

bool RedisSession::failover_reply(const Reply& reply) const noexcept {
  return config_.url.is_sentinel() && reply.is_error() &&
         (reply.str.starts_with("READONLY") || reply.str.starts_with("LOADING"));
}

void RedisSession::send(std::string_view bytes) {
  write_buffer_ += bytes;
  write_signal_.cancel();
}

asio::awaitable<void> RedisSession::run(std::shared_ptr<RedisSession> self) {
  bool was_up = false;
  while (state_ != State::stopped) {
    reader_ = std::make_unique<RespReader>(config_.max_array_elements);
    error_code ec = co_await connect_session(stream_, *reader_, config_);
    if (state_ == State::stopped) break;
    const error_code previous = last_connect_error_;
    last_connect_error_ = ec;
    if (ec) {
      ++connect_failures_;
      // One line per outage (and per change of cause), not one per retry.
      if (was_up || connect_failures_ == 1 || ec != previous) {
        spdlog::warn("redis {}: connect failed: {}{}", config_.url.redacted(),
                     ec.category() == asio::error::get_ssl_category() ? "TLS: " : "", ec.message());
      }
      was_up = false;
      close_socket();
    } else {
      ++connects_;
      was_up = true;
      backoff_.reset();
      state_ = State::up;
      ++generation_;
      if (connects_ > 1) spdlog::info("redis {}: connected again", config_.url.redacted());
      asio::co_spawn(ex_, writer(self, generation_), asio::detached);
      if (config_.url.is_sentinel())
        asio::co_spawn(ex_, watch_failover(self, generation_), asio::detached);
      on_up();
      wake_waiters();

      ec = co_await read_loop();
      if (state_ == State::stopped) break;
      spdlog::warn("redis {}: connection lost: {}", config_.url.redacted(), ec.message());
      state_ = State::connecting;
      ++generation_;
      end_watch();
      close_socket();
      write_buffer_.clear();
      write_signal_.cancel();
      on_down(ec);
    }
    backoff_timer_.expires_after(backoff_.next());
    co_await backoff_timer_.async_wait(kTuple);
  }
}

asio::awaitable<error_code> RedisSession::read_loop() {
  std::vector<char> buffer(config_.read_chunk_bytes);
  const std::uint64_t generation = generation_;
  for (;;) {
    // Drain what is buffered first: the handshake may have read past its replies.
    for (;;) {
      auto next = reader_->next();
      if (!next) {
        spdlog::error("redis {}: protocol error: {}", config_.url.redacted(),
                      reader_->error_text());
        co_return make_error_code(Errc::protocol_error);
      }
      if (!*next) break;
      if (error_code ec = on_reply(std::move(**next))) co_return ec;
      // on_reply may resume callers that stop() us.
      if (state_ != State::up || generation != generation_) co_return make_error_code(Errc::closed);
    }
    auto [ec, n] = co_await stream_.async_read_some(asio::buffer(buffer), kTuple);
    if (ec) co_return ec;
    if (!reader_->feed(buffer.data(), n)) co_return make_error_code(Errc::protocol_error);
  }
}

asio::awaitable<void> RedisSession::writer(std::shared_ptr<RedisSession> self,
                                           std::uint64_t generation) {
  std::string sending;
  while (generation == generation_ && state_ == State::up) {
    if (write_buffer_.empty()) {
      write_signal_.expires_at(asio::steady_timer::time_point::max());
      co_await write_signal_.async_wait(kTuple);
      continue;
    }
    sending.clear();
    std::swap(sending, write_buffer_);
    auto [ec, n] = co_await asio::async_write(stream_, asio::buffer(sending), kTuple);
    if (ec) {
      // The read loop sees the closed socket and runs the reconnect path.
      if (generation == generation_) close_socket();
      break;
    }
  }
  (void)self;
}

asio::awaitable<void> RedisSession::watch_failover(std::shared_ptr<RedisSession> self,
                                                   std::uint64_t generation) {
  RedisStream stream{ex_};
  auto cancelled = std::make_shared<bool>(false);
  watch_stream_ = &stream;
  watch_cancelled_ = cancelled;
  const error_code ec = co_await wait_switch_master(stream, config_, *cancelled);
  if (watch_stream_ == &stream) {
    watch_stream_ = nullptr;
    watch_cancelled_.reset();
  }
  stream.close();
  if (*cancelled) co_return;
  if (!ec && generation == generation_ && state_ == State::up) {
    spdlog::info("redis {}: +switch-master: reconnecting through the sentinels",
                 config_.url.redacted());
    close_socket();  // the read loop sees it and runs the reconnect path
  } else if (ec) {
    spdlog::debug("redis {}: not following +switch-master: {}", config_.url.redacted(),
                  ec.message());
  }
  (void)self;
}

void RedisSession::end_watch() noexcept {
  if (watch_cancelled_) *watch_cancelled_ = true;
  if (watch_stream_) watch_stream_->close();
  watch_stream_ = nullptr;
  watch_cancelled_.reset();
}

void RedisSession::close_socket() noexcept {
  stream_.close();
}

void RedisSession::wake_waiters() noexcept {
  for (auto* timer : waiters_) timer->cancel();
}

}  // namespace herald::redis
