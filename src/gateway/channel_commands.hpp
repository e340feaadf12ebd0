// The client commands that act on a channel without holding it (protocol.md section
// 1): publish, presence and history. Permission check, engine call, reply body; no
// connection state, so a transport only relays the outcome. Shard thread. The HTTP
// API (http_api.cpp) shares its encoders (history_json, encode_position) and the
// history limits (HistoryFrame::default_limit / max_limit).
#pragma once

#include <herald/gateway/channel_rules.hpp>
#include <herald/protocol/client_frame.hpp>
#include <herald/protocol/server_frame.hpp>

#include "gateway/server_context.hpp"

#include <boost/asio/awaitable.hpp>

#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace herald::gateway {

/// code 0: `text` is the reply's result JSON; otherwise the error code and message.
struct CommandOutcome {
  int code = 0;
  std::string text;
};

/// A history answer's JSON (WebSocket reply result and HTTP body alike).
inline std::string history_json(const realtime::HistoryResult& r) {
  std::vector<protocol::HistoryEntry> entries;
  entries.reserve(r.messages.size());
  for (const auto& p : r.messages) entries.push_back({p->offset, p->data()});
  return protocol::encode_history_result(entries, r.position);
}

/// Runs a PublishFrame, PresenceFrame or HistoryFrame for `who`; any other command
/// is a 400 "unsupported frame". Cost: one engine call.
inline boost::asio::awaitable<CommandOutcome> run_channel_command(ServerContext& ctx,
                                                                  ShardMetrics& metrics,
                                                                  const Identity& who,
                                                                  protocol::ClientCommand& cmd) {
  using namespace protocol;
  std::string channel = std::visit(
      [](auto& c) -> std::string {
        if constexpr (requires { c.channel; }) return c.channel;
        return {};
      },
      cmd);
  if (!valid_channel_name(channel)) co_return CommandOutcome{400, "invalid channel name"};
  if (auto* f = std::get_if<PublishFrame>(&cmd)) {
    if (!ctx.rules.can_publish(channel, who)) co_return CommandOutcome{403, "permission denied"};
    auto r = co_await ctx.engine->publish(channel, std::move(f->data), std::move(f->event));
    if (!r) co_return CommandOutcome{realtime::wire_code(r.error()), r.error().message()};
    metrics.publications.fetch_add(1, std::memory_order_relaxed);
    co_return CommandOutcome{0, encode_position(*r)};
  }
  if (std::holds_alternative<PresenceFrame>(cmd)) {
    if (!ctx.rules.can_presence(channel, who)) co_return CommandOutcome{403, "permission denied"};
    auto r = co_await ctx.engine->presence_count(channel);
    if (!r) co_return CommandOutcome{realtime::wire_code(r.error()), r.error().message()};
    co_return CommandOutcome{0, R"({"count":)" + std::to_string(*r) + "}"};
  }
  if (auto* f = std::get_if<HistoryFrame>(&cmd)) {
    if (!ctx.rules.can_subscribe(channel, who)) co_return CommandOutcome{403, "permission denied"};
    auto r = co_await ctx.engine->history(channel, f->since, f->limit);
    if (!r) co_return CommandOutcome{realtime::wire_code(r.error()), r.error().message()};
    co_return CommandOutcome{0, history_json(*r)};
  }
  co_return CommandOutcome{400, "unsupported frame"};
}

}  // namespace herald::gateway
