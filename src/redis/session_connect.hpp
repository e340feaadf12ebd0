// connect_session(): opens one Redis session: resolve + connect (TCP or unix socket),
// TLS for a rediss:// URL, and the handshake (AUTH, SELECT, CLIENT SETNAME), all
// within connect_timeout. Shared by Connection and Subscriber so both connect and
// authenticate alike.
//
// redis+sentinel:// URLs (the one place where a connection's address is chosen):
// the sentinels are asked in turn (the last one that answered first) for the
// master's address (AUTH with sentinel_password, SENTINEL get-master-addr-by-name),
// and the session goes there, with ROLE appended to the handshake: a server that is
// not a master (or still LOADING) is refused with not_master, and the caller backs
// off and asks again. Every Connection, Pool member and Subscriber goes through here
// on every (re)connect, so all of them follow a failover on their next connect.
//
// The stream is reset() first. On return with success the reader may already hold
// bytes that followed the handshake replies; the caller keeps using the same reader.
#pragma once

#include <herald/redis/topology.hpp>

#include "redis/core/resp_reader.hpp"
#include "redis/redis_stream.hpp"

#include <herald/redis/config.hpp>

#include <boost/asio/awaitable.hpp>

namespace herald::redis {

/// Errors: connect_timeout (deadline passed), tls_handshake_timeout (passed during
/// the TLS handshake), tls_closed_by_server (hung up right after it),
/// handshake_failed (an error reply, also from a sentinel), not_master,
/// master_unknown, no_sentinel (Sentinel URLs),
/// protocol_error, tls_setup_failed (rediss:// without a usable config.tls), a TLS
/// handshake error (boost::asio::ssl's category, or tls_verify_category() when the
/// server's certificate was refused), or the socket's own error (refused, ...).
boost::asio::awaitable<boost::system::error_code> connect_session(RedisStream& stream,
                                                                  RespReader& reader,
                                                                  const ConnectionConfig& config);

/// redis+sentinel:// only: connects to a sentinel (in turn, until one accepts),
/// subscribes to +switch-master and returns success when a message names the URL's
/// master (a failover happened: whoever is connected should reconnect through the
/// sentinels). Returns an error when no sentinel could be subscribed to, or the
/// subscription's connection ended; Errc::closed once `cancelled` is set (set it,
/// then close the stream). Holds one connection to a sentinel while it waits.
boost::asio::awaitable<boost::system::error_code> wait_switch_master(RedisStream& stream,
                                                                     const ConnectionConfig& config,
                                                                     const bool& cancelled);

/// redis+sentinel:// only: the master this process last connected to for `url` (and
/// confirmed with ROLE) and how often that changed, shared by every connection of
/// the URL. Thread: any.
Topology sentinel_topology(const RedisUrl& url);

}  // namespace herald::redis
