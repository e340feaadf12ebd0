// Errors of the Redis client: one enum, one error category.
//
// A Redis *error reply* (e.g. "WRONGTYPE ...") is not one of these: it is a value,
// Reply with type error, handed to the caller like any other reply. These codes say
// why no reply could be had at all, or why a helper could not interpret one.
#pragma once

#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

#include <type_traits>

namespace herald::redis {

enum class Errc {
  /// No live connection: the command was not sent. Callers decide to fail open.
  not_connected = 1,
  /// The connection died with the command in flight; it may or may not have run.
  connection_lost,
  /// TCP/unix connect plus handshake did not finish within connect_timeout.
  connect_timeout,
  /// No reply within the request's timeout. The reply, if it comes, is discarded.
  timeout,
  /// The server sent bytes that are not valid RESP; the connection was dropped.
  protocol_error,
  /// AUTH, SELECT or another handshake command was refused by the server.
  handshake_failed,
  /// The Redis URL could not be parsed (see RedisUrl::parse).
  bad_url,
  /// A helper got a reply of a shape it did not expect (e.g. string for XADD id).
  unexpected_reply,
  /// The server answered a helper's command with an error reply.
  server_error,
  /// The client was stopped; nothing more will be sent.
  closed,
  /// A rediss:// URL's TLS files (ca_file, ca_dir, cert_file, key_file) could not be
  /// loaded; the log line says which and why. TLS handshake failures are errors of
  /// boost::asio::ssl's category, certificate verification failures of
  /// tls_verify_category() (tls_context.hpp).
  tls_setup_failed,
  /// The TLS handshake did not finish within connect_timeout: most likely a
  /// rediss:// URL pointing at a port that does not speak TLS.
  tls_handshake_timeout,
  /// The server closed (or reset) the connection right after a TLS handshake, before
  /// answering: what a server that requires a client certificate does when it has
  /// none (TLS 1.3), unless its alert arrives first (then that alert is the error).
  tls_closed_by_server,
  /// redis+sentinel://: the server the sentinels named is not (or no longer) the
  /// master: ROLE says replica, it is still LOADING, or it answered -READONLY. A
  /// failover is under way; the connection backs off and asks the sentinels again.
  not_master,
  /// redis+sentinel://: the sentinels that answered do not monitor that master name.
  master_unknown,
  /// redis+sentinel://: no sentinel of the URL answered (unreachable, timed out, or
  /// refused the sentinel_password).
  no_sentinel,
};

const boost::system::error_category& error_category() noexcept;

inline boost::system::error_code make_error_code(Errc e) noexcept {
  return {static_cast<int>(e), error_category()};
}

/// Value or error code; never throws on access through has_value()/error().
template <class T>
using Result = boost::system::result<T>;

}  // namespace herald::redis

template <>
struct boost::system::is_error_code_enum<herald::redis::Errc> : std::true_type {};
