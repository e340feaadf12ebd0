// connect_session(): see session_connect.hpp. The deadline is a timer that closes the
// socket when it fires, which aborts whichever step is pending (resolve is bounded
// by the same flag: a late resolve result is discarded). A redis+sentinel:// URL
// asks the sentinels for the master's address first (each sentinel under its own
// deadline), then connects there like to any URL, with ROLE as the last handshake
// command.
#include "redis/session_connect.hpp"

#include "redis/core/master_address.hpp"
#include "redis/core/slot_map.hpp"

#include <herald/redis/request.hpp>
#include <herald/redis/tls_context.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace herald::redis {
namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

Request handshake_request(const ConnectionConfig& config, const RedisUrl& url, bool check_role) {
  Request req;
  if (!url.password.empty()) {
    if (url.user.empty())
      req.push("AUTH", url.password);
    else
      req.push("AUTH", url.user, url.password);
  }
  if (url.db != 0) req.push("SELECT", url.db);
  if (!config.client_name.empty()) req.push("CLIENT", "SETNAME", config.client_name);
  // The address a sentinel gave may be a master that was just demoted.
  if (check_role) req.push("ROLE");
  // Over TLS 1.3 a server that refuses our certificate says so after the handshake,
  // on the first read: one round trip here keeps that a connect failure.
  if (req.empty() && url.tls.enabled) req.push("PING");
  return req;
}

/// Small pipelined commands must not wait for Nagle; keep-alive finds dead peers
/// on idle connections (the request timeout covers busy ones).
void tune_tcp(RedisSocket& socket) {
  error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  socket.set_option(asio::socket_base::keep_alive(true), ignored);
}

asio::awaitable<error_code> connect_socket(RedisSocket& socket, const RedisUrl& url) {
  if (url.transport == RedisUrl::Transport::unix_socket) {
    asio::local::stream_protocol::endpoint ep{url.path};
    auto [ec] = co_await socket.async_connect(asio::generic::stream_protocol::endpoint{ep}, kTuple);
    co_return ec;
  }
  error_code parse_ec;
  auto address = asio::ip::make_address(url.host, parse_ec);
  if (!parse_ec) {  // an IP literal: no resolver round trip (and no resolver thread)
    auto [ec] = co_await socket.async_connect(
        asio::generic::stream_protocol::endpoint{tcp::endpoint{address, url.port}}, kTuple);
    if (!ec) tune_tcp(socket);
    co_return ec;
  }
  tcp::resolver resolver{socket.get_executor()};
  auto [rec, results] = co_await resolver.async_resolve(url.host, std::to_string(url.port), kTuple);
  if (rec) co_return rec;
  error_code last = asio::error::host_not_found;
  for (const auto& entry : results) {
    if (socket.is_open()) socket.close();
    auto [ec] = co_await socket.async_connect(
        asio::generic::stream_protocol::endpoint{entry.endpoint()}, kTuple);
    if (!ec) {
      tune_tcp(socket);
      co_return error_code{};
    }
    last = ec;
  }
  co_return last;
}

/// ROLE's answer names a master: ["master", offset, replicas].
bool is_master_role(const Reply& reply) {
  return reply.is_array() && !reply.elements.empty() && reply.elements[0].is_string() &&
         reply.elements[0].str == "master";
}

asio::awaitable<error_code> handshake(RedisStream& stream, RespReader& reader,
                                      const ConnectionConfig& config, const RedisUrl& url,
                                      bool check_role) {
  Request req = handshake_request(config, url, check_role);
  if (req.empty()) co_return error_code{};
  auto [wec, written] = co_await asio::async_write(stream, asio::buffer(req.payload()), kTuple);
  if (wec) co_return wec;
  std::size_t answered = 0;
  std::array<char, 4096> buf;
  while (answered < req.size()) {
    auto next = reader.next();
    if (!next) co_return make_error_code(Errc::protocol_error);
    if (*next) {
      const Reply& reply = **next;
      ++answered;
      // A master still loading its data set after a restart is no master yet.
      if (check_role && reply.is_error() && reply.str.starts_with("LOADING"))
        co_return make_error_code(Errc::not_master);
      if (reply.is_error()) co_return make_error_code(Errc::handshake_failed);
      if (check_role && answered == req.size() && !is_master_role(reply))
        co_return make_error_code(Errc::not_master);
      continue;
    }
    auto [rec, n] = co_await stream.async_read_some(asio::buffer(buf), kTuple);
    if (rec) co_return rec;
    if (!reader.feed(buf.data(), n)) co_return make_error_code(Errc::protocol_error);
  }
  co_return error_code{};
}

/// The peer hung up (as opposed to a timeout or a protocol error).
bool closed_by_peer(const error_code& ec) {
  return ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == asio::error::broken_pipe || ec == asio::ssl::error::stream_truncated;
}

/// Closes the stream when the timeout passes, which aborts whatever step is pending.
/// `done` guards against a deadline that fired just as we finished: its handler is
/// already queued and cancel() cannot recall it, so it must not touch the socket.
class StreamDeadline {
 public:
  StreamDeadline(RedisStream& stream, std::chrono::milliseconds timeout)
      : state_(std::make_shared<State>()), timer_(stream.get_executor()) {
    timer_.expires_after(timeout);
    timer_.async_wait([&stream, state = state_](error_code ec) {
      if (ec || state->done) return;
      state->timed_out = true;
      stream.close();
    });
  }
  ~StreamDeadline() { finish(); }
  StreamDeadline(const StreamDeadline&) = delete;
  StreamDeadline& operator=(const StreamDeadline&) = delete;

  void finish() noexcept {
    state_->done = true;
    timer_.cancel();
  }
  bool timed_out() const noexcept { return state_->timed_out; }

 private:
  struct State {
    bool timed_out = false;
    bool done = false;
  };
  std::shared_ptr<State> state_;
  asio::steady_timer timer_;
};

/// Connects to `url` (a plain address) and runs the handshake, under connect_timeout.
asio::awaitable<error_code> connect_direct(RedisStream& stream, RespReader& reader,
                                           const ConnectionConfig& config, const RedisUrl& url,
                                           bool check_role) {
  stream.reset();
  const bool tls = url.tls.enabled;
  if (tls && !config.tls) co_return make_error_code(Errc::tls_setup_failed);
  StreamDeadline deadline{stream, config.connect_timeout};

  error_code ec = co_await connect_socket(stream.socket(), url);
  bool tls_timed_out = false;
  if (!ec && tls && !deadline.timed_out()) {
    ec = co_await stream.start_tls(*config.tls, url);
    tls_timed_out = deadline.timed_out();
  }
  if (!ec && !deadline.timed_out()) {
    ec = co_await handshake(stream, reader, config, url, check_role);
    if (tls && closed_by_peer(ec)) ec = make_error_code(Errc::tls_closed_by_server);
  }
  deadline.finish();
  if (deadline.timed_out())
    co_return make_error_code(tls_timed_out ? Errc::tls_handshake_timeout : Errc::connect_timeout);
  co_return ec;
}

/// Connects to one sentinel (with TLS when the URL says so), sends [AUTH] then
/// `command`, and reads one answer per command, all under connect_timeout. Returns
/// the answer to `command`; an AUTH refusal or an error answer is handshake_failed.
/// The stream stays open and `reader` keeps what followed the answers (a
/// subscription goes on reading both). The one flow of ask_sentinel and
/// subscribe_switch_master.
asio::awaitable<Result<Reply>> sentinel_exchange(RedisStream& stream, RespReader& reader,
                                                 const ConnectionConfig& config,
                                                 const SentinelAddress& sentinel,
                                                 const Request& command) {
  stream.reset();
  RedisUrl url = config.url;  // the TLS options, with the sentinel's address
  url.host = sentinel.host;
  url.port = sentinel.port;
  const bool tls = url.tls.enabled;
  if (tls && !config.tls) co_return Errc::tls_setup_failed;
  StreamDeadline deadline{stream, config.connect_timeout};

  Request req;
  const SentinelOptions& opts = config.url.sentinel;
  if (!opts.password.empty()) {
    if (opts.user.empty())
      req.push("AUTH", opts.password);
    else
      req.push("AUTH", opts.user, opts.password);
  }
  req.append(command);

  Reply last;
  error_code ec = co_await connect_socket(stream.socket(), url);
  if (!ec && tls && !deadline.timed_out()) ec = co_await stream.start_tls(*config.tls, url);
  if (!ec && !deadline.timed_out()) {
    auto [wec, written] = co_await asio::async_write(stream, asio::buffer(req.payload()), kTuple);
    ec = wec;
  }
  std::size_t answered = 0;
  std::array<char, 1024> buf;
  while (!ec && !deadline.timed_out() && answered < req.size()) {
    auto next = reader.next();
    if (!next) {
      ec = make_error_code(Errc::protocol_error);
      break;
    }
    if (*next) {
      ++answered;
      if ((*next)->is_error())
        ec = make_error_code(Errc::handshake_failed);  // AUTH refused, or no Sentinel
      else if (answered == req.size())
        last = std::move(**next);
      continue;
    }
    auto [rec, n] = co_await stream.async_read_some(asio::buffer(buf), kTuple);
    if (rec) {
      ec = rec;
    } else if (!reader.feed(buf.data(), n)) {
      ec = make_error_code(Errc::protocol_error);
    }
  }
  deadline.finish();
  if (deadline.timed_out()) co_return Errc::connect_timeout;
  if (ec) co_return ec;
  co_return last;
}

/// Asks one sentinel for the master's address (SENTINEL get-master-addr-by-name),
/// on `stream`, under connect_timeout; closes the stream.
asio::awaitable<Result<MasterAddress>> ask_sentinel(RedisStream& stream,
                                                    const ConnectionConfig& config,
                                                    const SentinelAddress& sentinel) {
  RespReader reader{64};
  Request command;
  command.push("SENTINEL", "get-master-addr-by-name", config.url.sentinel.master_name);
  Result<Reply> answer = co_await sentinel_exchange(stream, reader, config, sentinel, command);
  stream.close();
  if (!answer) co_return answer.error();
  co_return MasterAddress::from_reply(*answer);
}

/// The sentinel to ask first for a URL: the last one that answered, so that a dead
/// sentinel early in the list does not cost every reconnect a timeout.
std::mutex sentinel_mutex;
std::map<std::string, std::size_t> preferred_sentinel;  // redacted URL -> index

std::size_t first_sentinel(const std::string& key) {
  std::lock_guard lock{sentinel_mutex};
  auto it = preferred_sentinel.find(key);
  return it == preferred_sentinel.end() ? 0 : it->second;
}

void prefer_sentinel(const std::string& key, std::size_t index) {
  std::lock_guard lock{sentinel_mutex};
  preferred_sentinel[key] = index;
}

/// One info line per master a URL's sentinels name, when that answer changes (not
/// one per pool connection): the operator sees failovers as they are followed.
void note_master(const RedisUrl& url, const MasterAddress& master) {
  static std::map<std::string, std::string> last;  // redacted URL -> "host:port"
  std::string key = url.redacted();
  std::string now = master.host + ":" + std::to_string(master.port);
  std::lock_guard lock{sentinel_mutex};
  std::string& seen = last[key];
  if (seen == now) return;
  spdlog::info("redis {}: sentinels name master '{}' at {}{}", key, url.sentinel.master_name, now,
               seen.empty() ? "" : " (was " + seen + ")");
  seen = std::move(now);
}

/// The master each Sentinel URL's connections last reached (ROLE: master), and the
/// switches seen, for Topology.
struct ConfirmedMaster {
  std::string address;
  std::uint64_t switches = 0;
};
std::map<std::string, ConfirmedMaster> confirmed_masters;  // redacted URL ->; sentinel_mutex

void note_connected(const RedisUrl& url, const MasterAddress& master) {
  std::string now = ClusterNode{master.host, master.port}.address();
  std::lock_guard lock{sentinel_mutex};
  ConfirmedMaster& m = confirmed_masters[url.redacted()];
  if (m.address == now) return;
  if (!m.address.empty()) ++m.switches;
  m.address = std::move(now);
}

/// Each sentinel in turn: its answer is connected to and must be a master (ROLE).
/// A stale answer (a sentinel not yet told of a failover) or an unreachable
/// sentinel moves on to the next one; an address already tried in this round is
/// not tried again.
asio::awaitable<error_code> connect_via_sentinels(RedisStream& stream, RespReader& reader,
                                                  const ConnectionConfig& config) {
  error_code last_master_error;
  bool unknown = false;
  std::vector<std::string> tried;
  const auto& sentinels = config.url.sentinel.sentinels;
  const std::string key = config.url.redacted();
  const std::size_t first = first_sentinel(key);
  for (std::size_t i = 0; i < sentinels.size(); ++i) {
    const std::size_t index = (first + i) % sentinels.size();
    const SentinelAddress& sentinel = sentinels[index];
    auto answer = co_await ask_sentinel(stream, config, sentinel);
    if (!answer) {
      if (answer.error() == Errc::master_unknown) unknown = true;
      spdlog::debug("redis {}: sentinel {}:{}: {}", config.url.redacted(), sentinel.host,
                    sentinel.port, answer.error().message());
      continue;
    }
    prefer_sentinel(key, index);
    std::string address = answer->host + ":" + std::to_string(answer->port);
    if (std::find(tried.begin(), tried.end(), address) != tried.end()) continue;
    tried.push_back(std::move(address));
    note_master(config.url, *answer);
    RedisUrl master = config.url;
    master.sentinel = {};
    master.host = answer->host;
    master.port = answer->port;
    // The reader may hold bytes of an earlier attempt's handshake: start clean.
    reader.reset();
    error_code ec = co_await connect_direct(stream, reader, config, master, true);
    if (!ec) {
      note_connected(config.url, *answer);
      co_return ec;
    }
    last_master_error = ec;
    spdlog::debug("redis {}: master {}:{}: {}", config.url.redacted(), master.host, master.port,
                  ec.message());
  }
  if (last_master_error) co_return last_master_error;
  if (unknown) co_return make_error_code(Errc::master_unknown);
  co_return make_error_code(Errc::no_sentinel);
}

}  // namespace

Topology sentinel_topology(const RedisUrl& url) {
  Topology t;
  t.kind = Topology::Kind::sentinel;
  std::lock_guard lock{sentinel_mutex};
  auto it = confirmed_masters.find(url.redacted());
  if (it == confirmed_masters.end()) return t;
  t.primaries.push_back(it->second.address);
  t.changes = it->second.switches;
  return t;
}

asio::awaitable<error_code> connect_session(RedisStream& stream, RespReader& reader,
                                            const ConnectionConfig& config) {
  if (config.url.is_sentinel()) co_return co_await connect_via_sentinels(stream, reader, config);
  if (config.url.is_cluster()) {
    // A session of its own on a cluster URL (the Subscriber's classic Pub/Sub, which
    // every node relays): the first seed that accepts.
    error_code last;
    for (const auto& seed : config.url.cluster) {
      RedisUrl node = config.url;
      node.cluster.clear();
      node.host = seed.host;
      node.port = seed.port;
      reader.reset();
      last = co_await connect_direct(stream, reader, config, node, false);
      if (!last) break;
    }
    co_return last;
  }
  co_return co_await connect_direct(stream, reader, config, config.url, false);
}

namespace {

/// Subscribes to +switch-master on one sentinel ([AUTH], SUBSCRIBE, its
/// confirmation), under connect_timeout.
asio::awaitable<error_code> subscribe_switch_master(RedisStream& stream, RespReader& reader,
                                                    const ConnectionConfig& config,
                                                    const SentinelAddress& sentinel) {
  Request command;
  command.push("SUBSCRIBE", "+switch-master");
  Result<Reply> confirmation =
      co_await sentinel_exchange(stream, reader, config, sentinel, command);
  co_return confirmation ? error_code{} : confirmation.error();
}

/// A +switch-master message about `master`: ["message", "+switch-master",
/// "<name> <old ip> <old port> <new ip> <new port>"].
bool is_switch_of(const Reply& reply, const std::string& master) {
  if (!reply.is_array() || reply.elements.size() != 3) return false;
  const auto& e = reply.elements;
  return e[0].is_string() && e[0].str == "message" && e[1].is_string() &&
         e[1].str == "+switch-master" && e[2].is_string() && e[2].str.starts_with(master + " ");
}

}  // namespace

asio::awaitable<error_code> wait_switch_master(RedisStream& stream, const ConnectionConfig& config,
                                               const bool& cancelled) {
  const auto& sentinels = config.url.sentinel.sentinels;
  const std::size_t first = first_sentinel(config.url.redacted());
  error_code ec = make_error_code(Errc::no_sentinel);
  for (std::size_t i = 0; i < sentinels.size() && !cancelled; ++i) {
    RespReader reader{64};
    ec = co_await subscribe_switch_master(stream, reader, config,
                                          sentinels[(first + i) % sentinels.size()]);
    if (cancelled) co_return make_error_code(Errc::closed);
    if (ec) continue;
    std::array<char, 4096> buf;
    for (;;) {
      auto next = reader.next();
      if (!next) co_return make_error_code(Errc::protocol_error);
      if (*next) {
        if (is_switch_of(**next, config.url.sentinel.master_name)) co_return error_code{};
        continue;
      }
      auto [rec, n] = co_await stream.async_read_some(asio::buffer(buf), kTuple);
      if (rec) co_return rec;  // the sentinel went away: the next reconnect watches again
      if (!reader.feed(buf.data(), n)) co_return make_error_code(Errc::protocol_error);
    }
  }
  co_return ec;
}

}  // namespace herald::redis
