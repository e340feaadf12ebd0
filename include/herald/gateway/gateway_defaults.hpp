// The gateway's defaults: the one definition of each, referenced by GatewayOptions,
// `herald serve`'s ServerConfig and its settings table (src/app/config/setting.cpp,
// which prints them in --help). Header-only constants; each says why.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace herald::gateway::defaults {

/// Loopback: a first run exposes nothing.
inline constexpr std::string_view listen_host = "127.0.0.1";
inline constexpr std::uint16_t listen_port = 8080;
/// Heartbeat. 25 s: under the 30-60 s idle timeouts of common proxies and load
/// balancers.
inline constexpr std::chrono::seconds ping_interval{25};
/// One inbound WebSocket frame. 64 KiB: plenty for commands, small enough to bound
/// per-connection memory.
inline constexpr std::size_t max_message_bytes = 65536;
/// Open WebSocket + SSE connections; beyond, upgrades get 503.
inline constexpr std::size_t max_connections = 100000;
/// Bytes queued to one connection before it is dropped as a slow consumer (3008).
/// 1 MiB: several seconds of a busy channel; a reader further behind than that is
/// better served by reconnecting and recovering.
inline constexpr std::size_t max_send_queue_bytes = 1 << 20;
/// SO_SNDBUF of WebSocket and SSE sockets (0: the kernel's autotuning, which lets each
/// socket buffer megabytes). 4 KiB (issue 14, S2): the backlog of a reader that cannot
/// keep up stays in the connection's send queue, where the queued-bytes gauge (and so
/// publish backpressure and the slow-consumer rule) sees it, instead of in the kernel,
/// where nothing bounds its age. The kernel doubles the value for its bookkeeping.
inline constexpr std::size_t send_buffer_bytes = 4 * 1024;
/// How long a shard collects frames before its write pass (Centrifugo's `write_delay`).
/// 0 (default): the pass runs as soon as the current handler returns, one send() per
/// connection per burst. Above 0, the publications and replies of that many
/// milliseconds go to each connection in one send(): fewer syscalls per delivery
/// (issue 14, S1: the kernel's send path is most of a delivery's cost) for up to that
/// much more latency.
inline constexpr std::chrono::milliseconds write_delay{0};
/// Bytes queued to clients in total (all connections) beyond which HTTP publishes wait,
/// then get 503 + Retry-After. 2 MiB (issue 14, S2): with small socket buffers the
/// backlog is in the send queues, and 2 MiB over 1,000 readers is ~10 frames each, so
/// the delivery lag stays bounded instead of growing with what publishers send; above
/// max_send_queue_bytes, so one slow client alone is dropped at its own limit.
inline constexpr std::size_t publish_backpressure_bytes = 2u << 20;
/// The same for a WebSocket that has not authenticated yet (its pongs included).
inline constexpr std::size_t unauthenticated_output_bytes = 64 * 1024;
/// Request line + header fields (beyond: 414 / 431). 16 KiB: browsers send 1-2 KB;
/// nginx's default large_client_header_buffers is 4 x 8 KiB.
inline constexpr std::size_t max_header_bytes = 16 * 1024;
/// A request must arrive within this; idle keep-alive connections close after it.
inline constexpr std::chrono::seconds header_timeout{60};
/// Plain HTTP connections beyond which new ones get 503.
inline constexpr std::size_t max_http_connections = 10000;
/// Channels one connection may hold. 1000: far above any dashboard's needs, low
/// enough that one client cannot make the node hold millions of subscriptions.
inline constexpr std::size_t max_subscriptions_per_connection = 1000;
/// Client frames per second per connection (token bucket, burst 2x).
inline constexpr std::uint32_t client_rate_limit = 100;

}  // namespace herald::gateway::defaults
