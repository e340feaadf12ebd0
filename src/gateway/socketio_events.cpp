// SocketIoSession, packet half: Engine.IO packets (ping/pong, close, message), the
// Socket.IO CONNECT with its auth, and the events mapped onto Herald's channels
// (docs/protocol.md, "Socket.IO compatibility").
#include "gateway/channel_commands.hpp"
#include "gateway/log_event.hpp"
#include "gateway/rate_limit_enforcement.hpp"
#include "gateway/server_context.hpp"
#include "gateway/socketio/engineio_packet.hpp"
#include "gateway/socketio_session.hpp"

#include <herald/protocol/publish_body.hpp>
#include <herald/protocol/server_frame.hpp>

#include <spdlog/spdlog.h>
#include <boost/json/serialize.hpp>

namespace herald::gateway {

namespace json = boost::json;
using boost::asio::awaitable;
using socketio::SocketIoPacket;
using socketio::SocketIoType;

namespace {

// The string member `key` of the event's first argument, or nullptr.
const json::string* string_member(const json::value* arg, std::string_view key) {
  if (arg == nullptr || !arg->is_object()) return nullptr;
  const json::value* v = arg->get_object().if_contains(key);
  return v != nullptr && v->is_string() ? &v->get_string() : nullptr;
}

// `since: {offset, epoch}` of a subscribe event, as the native frame's.
std::optional<realtime::StreamPosition> since_of(const json::value* arg) {
  if (arg == nullptr || !arg->is_object()) return std::nullopt;
  const json::value* since = arg->get_object().if_contains("since");
  if (since == nullptr || !since->is_object()) return std::nullopt;
  const json::value* offset = since->get_object().if_contains("offset");
  const json::value* epoch = since->get_object().if_contains("epoch");
  if (offset == nullptr || epoch == nullptr || !epoch->is_string()) return std::nullopt;
  std::uint64_t n = 0;
  if (offset->is_uint64()) {
    n = offset->get_uint64();
  } else if (offset->is_int64() && offset->get_int64() >= 0) {
    n = static_cast<std::uint64_t>(offset->get_int64());
  } else {
    return std::nullopt;
  }
  return realtime::StreamPosition{n, std::string(epoch->get_string())};
}

std::string error_body(int code, std::string_view message) {
  std::string out = R"({"error":{"code":)" + std::to_string(code) + R"(,"message":)";
  protocol::append_json_string(out, message);
  out += "}}";
  return out;
}

}  // namespace

std::shared_ptr<const std::string> socketio_frame_of(const realtime::PublicationPtr& p) {
  // One entry per shard thread: the fan-out of one publication hands it to every local
  // subscriber in a row, so all of them share the frame encoded for the first.
  struct Last {
    realtime::PublicationPtr publication;
    std::shared_ptr<const std::string> frame;
  };
  thread_local Last last;
  if (last.publication != p) {
    constexpr std::string_view invalidate_prefix = R"({"type":"invalidate")";
    bool invalidate = std::string_view(p->frame).starts_with(invalidate_prefix);
    std::string offset;
    if (p->kind == realtime::Publication::Kind::message)
      offset = SocketIoRecoveryLog::offset_of(*p);
    last.frame = std::make_shared<const std::string>(
        invalidate ? socketio::encode_event_frame("invalidate", p->frame, offset)
                   : socketio::encode_event_frame(p->event.empty() ? protocol::default_event_name
                                                                   : std::string_view(p->event),
                                                  p->data(), offset));
    last.publication = p;
  }
  return last.frame;
}

void SocketIoSession::on_publication(const realtime::PublicationPtr& p) {
  if (connected_ && flow_.accept(p)) send_publication(p);
}

void SocketIoSession::send_publication(const realtime::PublicationPtr& p) {
  if (closing_ || dead_) return;
  if (log_) log_->sent(p);
  enqueue(OutboundFrame{socketio_frame_of(p), p->published_at});
}

awaitable<void> SocketIoSession::handle(std::string_view text) {
  if (enforce_rate_limit(limiter_.admit(), *this, "socketio", shard_.metrics()))
    co_return;  // a refused packet is dropped (an event with an ack id never gets it)
  auto packet = socketio::decode_engineio_packet(text);
  if (!packet || packet->binary || packet->type == socketio::EngineIoType::open) {
    spdlog::info("conn={} malformed Engine.IO packet: closing 1002", id_);
    co_return close(1002, "malformed Engine.IO packet", false);
  }
  switch (packet->type) {
    case socketio::EngineIoType::ping:  // a client ping (the upgrade probe): pong back
      send("3" + std::string(packet->data));
      co_return;
    case socketio::EngineIoType::close:
      co_return close(1000, "client closed", true);
    case socketio::EngineIoType::message: {
      socketio::SocketIoDecoded decoded = socketio::decode_socketio_packet(packet->data);
      if (!decoded.packet) {
        spdlog::info("conn={} malformed Socket.IO packet ({}): closing 1002", id_, decoded.error);
        co_return close(1002, "malformed Socket.IO packet", false);
      }
      co_return co_await on_packet(*decoded.packet);
    }
    default:  // pong (liveness is any input), upgrade, noop
      co_return;
  }
}

awaitable<void> SocketIoSession::on_packet(SocketIoPacket& p) {
  if (p.type == SocketIoType::binary_event || p.type == SocketIoType::binary_ack) {
    spdlog::info("conn={} binary Socket.IO packet: refused", id_);
    send(
        socketio::encode_event_frame("error", R"({"message":"binary packets are not supported"})"));
    co_return close(1003, "binary packets are not supported", false);
  }
  if (p.nsp != "/") {
    if (p.type == SocketIoType::connect)
      send(socketio::encode_connect_error_frame(p.nsp, "Invalid namespace"));
    co_return;
  }
  switch (p.type) {
    case SocketIoType::connect:
      co_return co_await on_connect(p);
    case SocketIoType::disconnect:  // the client left the only namespace
      co_return close(1000, "client namespace disconnect", true);
    case SocketIoType::event:
      if (connected_) co_await on_event(p);
      co_return;
    case SocketIoType::connect_error:
      co_return close(1002, "unexpected CONNECT_ERROR", false);
    default:  // acks: the server never asks for one
      co_return;
  }
}

awaitable<void> SocketIoSession::on_connect(const SocketIoPacket& p) {
  if (connected_ || closing_) co_return;
  if (!preauthenticated_) {
    const json::string* token = string_member(&p.data, "token");
    if (token == nullptr || token->empty()) {
      send(socketio::encode_connect_error_frame("/", "authentication required"));
      co_return;
    }
    auto who = ctx_.access.authenticate(*token);
    if (!who) {
      LogEvent(spdlog::level::info, "auth_failed", "bad token in Socket.IO CONNECT")
          .add("conn", id_)
          .add("transport", "socketio")
          .emit();
      send(socketio::encode_connect_error_frame("/", "invalid or expired token"));
      co_return;
    }
    identity_ = std::move(*who);
  }
  connected_ = true;
  flow_.queue().set_limit(ctx_.options.max_send_queue_bytes);
  if (ws_) ws_->next_layer().limit_control_output(ctx_.options.max_send_queue_bytes);
  log_ = std::make_unique<SocketIoRecoveryLog>();
  schedule_tick();  // from the CONNECT deadline to the token's expiry
  if (co_await recover(p)) co_return;
  pid_ = random_sid();
  send(socketio::encode_connect_frame(id_, pid_));
  // As Socket.IO apps do by hand: the socket is in its user's room.
  if (!identity_.user.empty()) co_await subscribe(std::nullopt, "user:" + identity_.user, {});
}

// socket.io's connection state recovery: the same pid back (the client's
// `socket.recovered`), its channels subscribed again from where it stopped reading,
// what it missed sent from history. A channel history no longer covers closes the
// transport (3010): the client reconnects, and that CONNECT is a fresh one.
awaitable<bool> SocketIoSession::recover(const SocketIoPacket& p) {
  const json::string* pid = string_member(&p.data, "pid");
  if (pid == nullptr || pid->empty()) co_return false;
  const json::string* offset = string_member(&p.data, "offset");
  auto entry = ctx_.socketio_recovery.take(std::string(*pid));
  if (!entry || entry->user != identity_.user) co_return false;
  auto positions = entry->log.positions(offset != nullptr ? std::string_view(*offset) : "");
  if (!positions) co_return false;
  pid_ = std::string(*pid);
  send(socketio::encode_connect_frame(id_, pid_));
  for (const auto& [channel, position] : *positions) {
    if (!co_await subscribe(std::nullopt, channel, position)) {
      spdlog::info("conn={} socket.io recovery of {} not possible: closing 3010", id_, channel);
      close(3010, "insufficient state", true);
      co_return true;
    }
  }
  spdlog::debug("conn={} socket.io session recovered ({} channels)", id_, positions->size());
  co_return true;
}

awaitable<void> SocketIoSession::on_event(SocketIoPacket& p) {
  json::array& args = p.data.get_array();
  std::string name(args.front().get_string());
  const json::value* arg = args.size() > 1 ? &args[1] : nullptr;
  if (name == "subscribe" || name == "join_room") {
    std::string_view key = name == "subscribe" ? "channel" : "room";
    const json::string* channel = string_member(arg, key);
    if (channel == nullptr)
      co_return ack_error(p.id, 400, "field '" + std::string(key) + "' must be a string");
    co_await subscribe(p.id, std::string(*channel), since_of(arg));
    co_return;
  }
  if (name == "unsubscribe" || name == "leave_room") {
    std::string_view key = name == "unsubscribe" ? "channel" : "room";
    const json::string* channel = string_member(arg, key);
    if (channel == nullptr)
      co_return ack_error(p.id, 400, "field '" + std::string(key) + "' must be a string");
    flow_.unsubscribe(std::string(*channel));
    if (log_) log_->unsubscribed(std::string(*channel));
    co_return ack(p.id, "{}");
  }
  protocol::ClientCommand command;
  const json::string* channel = string_member(arg, "channel");
  if (name == "publish") {
    const json::value* data =
        arg != nullptr && arg->is_object() ? arg->get_object().if_contains("data") : nullptr;
    if (channel == nullptr) co_return ack_error(p.id, 400, "field 'channel' must be a string");
    if (data == nullptr) co_return ack_error(p.id, 400, "missing field 'data'");
    std::string event;
    if (const json::value* e = arg->get_object().if_contains("event")) {
      std::optional<std::string_view> name;
      if (e->is_string()) name = std::string_view(e->get_string());
      std::string error = protocol::event_name_error(name);
      if (!error.empty()) co_return ack_error(p.id, 400, error);
      if (*name != protocol::default_event_name) event = std::string(*name);
    }
    command =
        protocol::PublishFrame{std::string(*channel), json::serialize(*data), std::move(event)};
  } else if (name == "presence") {
    if (channel == nullptr) co_return ack_error(p.id, 400, "field 'channel' must be a string");
    command = protocol::PresenceFrame{std::string(*channel)};
  } else {
    co_return ack_error(p.id, 400, "unknown event '" + name + "'");
  }
  CommandOutcome outcome = co_await run_channel_command(ctx_, shard_.metrics(), identity_, command);
  if (outcome.code != 0) co_return ack_error(p.id, outcome.code, outcome.text);
  ack(p.id, outcome.text);
}

awaitable<bool> SocketIoSession::subscribe(std::optional<std::uint64_t> id,
                                           const std::string& channel,
                                           std::optional<realtime::StreamPosition> since) {
  SubscriptionFlow::Outcome r = co_await flow_.subscribe(channel, since, identity_);
  if (r.code != 0) {
    // Logged by the flow (subscribe_refused).
    ack_error(id, r.code, r.message);
    co_return false;
  }
  ack(id, protocol::encode_subscribe_result(channel, r.position, r.recovered));
  if (log_) {
    // The floor is what precedes the frames sent now (recovered, then buffered).
    realtime::StreamPosition floor = r.position;
    for (const auto& p : r.pending) {
      if (p->kind != realtime::Publication::Kind::message) continue;
      floor = realtime::StreamPosition{p->offset - 1, p->epoch};
      break;
    }
    log_->subscribed(channel, floor);
  }
  for (const auto& p : r.pending) send_publication(p);
  co_return !since || r.recovered;
}

void SocketIoSession::ack(std::optional<std::uint64_t> id, std::string_view args_json) {
  if (id) send(socketio::encode_ack_frame(*id, args_json));
}

void SocketIoSession::ack_error(std::optional<std::uint64_t> id, int code,
                                std::string_view message) {
  ack(id, error_body(code, message));
}

}  // namespace herald::gateway
