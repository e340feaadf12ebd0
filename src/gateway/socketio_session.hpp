// SocketIoSession: one Socket.IO client (socket.io-client 4.x) on `/socket.io/`, on
// its shard (docs/protocol.md, "Socket.IO compatibility"). Engine.IO v4 transports:
// WebSocket from the start, or HTTP long-polling (GET/POST by sid from any shard,
// through SocketIoRegistry) until the client upgrades to WebSocket with the probe.
// Server pings every ping_interval; eviction after ping_interval + ping timeout
// without input (Beast's idle timeout on WebSocket, the tick while polling). Socket.IO: CONNECT
// with `auth.token` (same verifier and channel rules as /ws), events mapped onto channels
// (subscribe / join_room / publish ...), acks, publications as events. Channels go through the
// shared SubscriptionFlow.
//
// Thread: the shard thread only. Memory while idle: the session, Beast's stream, one
// pending one-byte read, the ping timer and the subscriptions.
#pragma once

#include <herald/gateway/channel_rules.hpp>

#include "gateway/connection.hpp"
#include "gateway/http_api.hpp"
#include "gateway/rate_limiter.hpp"
#include "gateway/socketio/socketio_packet.hpp"
#include "gateway/socketio_recovery_log.hpp"
#include "gateway/subscription_flow.hpp"
#include "gateway/websocket_transport.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace herald::gateway {

struct ServerContext;
class Shard;

class SocketIoSession final : public Connection,
                              public std::enable_shared_from_this<SocketIoSession> {
 public:
  using Ptr = std::shared_ptr<SocketIoSession>;

  /// `identity`: set when the handshake carried a valid token (or auth is off);
  /// otherwise the CONNECT packet's `auth.token` must authenticate. `socket`: the
  /// WebSocket transport's; nullopt for a polling session.
  SocketIoSession(ServerContext& ctx, Shard& shard, std::optional<ws::Socket> socket,
                  std::optional<Identity> identity);

  /// The WebSocket handshake; on failure releases the connection slot, false.
  boost::asio::awaitable<bool> accept(HttpRequest& req);
  /// Registers the connection and starts it: on WebSocket sends the Engine.IO open
  /// packet and starts reading; when polling, returns the open packet (the body of the
  /// handshake's answer).
  std::string start();

  // Polling (socketio_polling.cpp); the session's shard thread.
  /// A GET: the queued packets joined by \x1e, once there are some (a ping comes every
  /// ping_interval); "1" (close) once the session ended. nullopt: a GET is already
  /// pending (engine.io's "bad request").
  boost::asio::awaitable<std::optional<std::string>> poll();
  /// A POST: handles the payload's packets in order; false when malformed.
  boost::asio::awaitable<bool> post(std::string body);
  /// The upgrade of a polling session to WebSocket on `socket` (already moved to this
  /// session's shard): handshake, "2probe" -> "3probe", the pending GET answered with a
  /// noop, "5", then frames go over WebSocket.
  boost::asio::awaitable<void> upgrade(ws::Socket socket, HttpRequest req);
  Shard& shard() noexcept { return shard_; }

  void on_publication(const realtime::PublicationPtr& p) override;
  void close(int code, std::string_view reason, bool reconnect) override;
  void exclude_if_stalled(std::chrono::steady_clock::time_point now,
                          std::chrono::steady_clock::duration stall) noexcept override;
  void write_pending() override;
  const std::string& id() const noexcept override { return id_; }
  const std::string& user() const noexcept override { return identity_.user; }

 private:
  // Transport (socketio_session.cpp).
  void wait_message();
  static boost::asio::awaitable<void> read_message(Ptr self, std::size_t first_bytes);
  void finish(boost::system::error_code ec);
  void start_writer();
  static boost::asio::awaitable<void> write_loop(Ptr self);
  void schedule_tick();
  void on_tick();
  void apply_websocket_options();
  void send(std::string packet);
  void enqueue(OutboundFrame frame);

  // Engine.IO / Socket.IO packets (socketio_events.cpp).
  boost::asio::awaitable<void> handle(std::string_view text);
  boost::asio::awaitable<void> on_packet(socketio::SocketIoPacket& packet);
  boost::asio::awaitable<void> on_connect(const socketio::SocketIoPacket& packet);
  boost::asio::awaitable<void> on_event(socketio::SocketIoPacket& packet);
  /// Subscribes and acks (by id); true if subscribed and, with `since`, recovered.
  boost::asio::awaitable<bool> subscribe(std::optional<std::uint64_t> id,
                                         const std::string& channel,
                                         std::optional<realtime::StreamPosition> since);
  /// Connection state recovery from a CONNECT's pid/offset; false: connect afresh.
  boost::asio::awaitable<bool> recover(const socketio::SocketIoPacket& packet);
  void send_publication(const realtime::PublicationPtr& p);
  void ack(std::optional<std::uint64_t> id, std::string_view args_json);
  void ack_error(std::optional<std::uint64_t> id, int code, std::string_view message);

  ServerContext& ctx_;
  Shard& shard_;
  std::unique_ptr<ws::Stream> ws_;  // null while polling
  std::string id_;
  std::string sid_;  // Engine.IO session id: random (it is all a polling request shows)
  std::string pid_;  // Socket.IO private id (recovery): random, set by CONNECT
  std::unique_ptr<SocketIoRecoveryLog> log_;  // set by CONNECT
  Identity identity_;
  bool preauthenticated_;        // the upgrade carried a valid token (or auth is off)
  bool connected_ = false;       // the Socket.IO CONNECT was accepted
  bool writer_running_ = false;  // a write_loop is spawned or running
  bool closing_ = false;         // no new frames; the writer closes after the queue
  bool dead_ = false;            // the transport failed or the reader ended
  bool reader_parked_ = false;   // no read pending while closing: the writer finishes
  bool holds_slot_ = true;       // counts toward max_connections
  char first_byte_ = 0;          // target of the idle one-byte read
  SubscriptionFlow flow_;
  RateLimiter limiter_;
  std::chrono::steady_clock::time_point connect_deadline_{};  // CONNECT due by then
  std::chrono::steady_clock::time_point close_deadline_{};    // set by close()
  std::chrono::steady_clock::time_point next_ping_{};
  std::unique_ptr<ws::Timer> timer_;  // pings, the CONNECT / token / close deadlines
  std::unique_ptr<boost::beast::websocket::close_reason> close_reason_;
  // Polling only (null on WebSocket from the start, dropped after the upgrade).
  struct Polling {
    explicit Polling(ws::Executor ex) : wake(ex) {}
    ws::Timer wake;            // a pending GET waits on it; cancel() wakes it
    bool get_pending = false;  // a GET is waiting
    bool upgrading = false;    // the probe came over WebSocket: answer GETs with noop
    bool upgraded = false;     // "5" came: frames go over WebSocket
    std::chrono::steady_clock::time_point last_seen;  // the last GET or POST
  };
  std::unique_ptr<Polling> polling_;
  bool polling() const noexcept { return polling_ && !polling_->upgraded; }
  void wake_poll();
  void finish_polling();
};

/// Runs one Socket.IO WebSocket client from the upgrade to the close. The caller has
/// reserved a connection slot; this releases it. Never throws.
boost::asio::awaitable<void> run_socketio_session(ServerContext& ctx, Shard& shard,
                                                  boost::asio::ip::tcp::socket socket,
                                                  HttpRequest request,
                                                  std::optional<Identity> identity);

/// 128 random bits as 32 hex digits (OpenSSL's RAND_bytes): Engine.IO sids, pids.
std::string random_sid();

/// The Socket.IO frame of a publication: `42["<event>",<data>,"<c>:<epoch>:<offset>"]`
/// (`<event>`: Publication::event, `message` when empty),
/// or `42["invalidate",<invalidate frame>,"<offset>"]` on tag channels (the last
/// argument is the recovery offset; ephemeral publications have none). Encoded once per publication
/// per shard thread (a one-entry cache: a fan-out hands one publication to all its
/// local subscribers in a row) and shared by every Socket.IO subscriber.
std::shared_ptr<const std::string> socketio_frame_of(const realtime::PublicationPtr& p);

}  // namespace herald::gateway
