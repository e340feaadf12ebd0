// connect_session(): opens one Redis session: resolve + connect (TCP or unix socket)
// and the handshake (AUTH, SELECT, CLIENT SETNAME), all within connect_timeout.
// Shared by Connection and Subscriber so both connect and authenticate alike.
//
// The socket is a generic stream socket so TCP and unix sockets share one type.
// On return with success the reader may already hold bytes that followed the
// handshake replies; the caller keeps using the same reader.
#pragma once

#include "redis/core/resp_reader.hpp"

#include <herald/redis/config.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/generic/stream_protocol.hpp>

namespace herald::redis {

using RedisSocket = boost::asio::generic::stream_protocol::socket;

/// Errors: connect_timeout (deadline passed), handshake_failed (an error reply),
/// protocol_error, or the socket's own error (refused, unreachable, ...).
boost::asio::awaitable<boost::system::error_code> connect_session(RedisSocket& socket,
                                                                  RespReader& reader,
                                                                  const ConnectionConfig& config);

}  // namespace herald::redis
