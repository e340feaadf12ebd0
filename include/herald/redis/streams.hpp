// Redis Streams commands as typed coroutines over a Connection.
//
// Blocking reads (XREAD/XREADGROUP with block) hold the connection's pipeline until
// they answer: run them on a connection of their own, not on a shared pool.
// A Redis error reply comes back as Errc::server_error with the text logged by the
// caller if it wants it (use Connection::exec directly to see the Reply).
#pragma once

#include <herald/redis/connection.hpp>
#include <herald/redis/stream_entry.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace herald::redis::streams {

using boost::asio::awaitable;

/// XADD key [MAXLEN ~ n] id field value ...; returns the new entry's id.
awaitable<Result<std::string>> xadd(Connection& c, std::string_view key, const StreamFields& fields,
                                    std::optional<std::size_t> maxlen_approx = std::nullopt,
                                    std::string_view id = "*");

/// One (stream, last id seen) pair of an XREAD / XREADGROUP.
struct StreamCursor {
  std::string stream;
  std::string id;  ///< XREAD: "$" or an id; XREADGROUP: ">" or an id
};

/// XREAD [COUNT n] [BLOCK ms] STREAMS ...; an empty vector when BLOCK timed out.
awaitable<Result<std::vector<StreamBatch>>> xread(
    Connection& c, const std::vector<StreamCursor>& cursors, std::size_t count,
    std::optional<std::chrono::milliseconds> block = std::nullopt);

/// XGROUP CREATE key group id [MKSTREAM]; false when the group already existed.
awaitable<Result<bool>> xgroup_create(Connection& c, std::string_view key, std::string_view group,
                                      std::string_view id = "$", bool mkstream = true);

/// XREADGROUP GROUP g consumer [COUNT n] [BLOCK ms] [NOACK] STREAMS ...
awaitable<Result<std::vector<StreamBatch>>> xreadgroup(
    Connection& c, std::string_view group, std::string_view consumer,
    const std::vector<StreamCursor>& cursors, std::size_t count,
    std::optional<std::chrono::milliseconds> block = std::nullopt, bool noack = false);

/// XACK key group id...: one command for the whole batch; returns how many were acked.
awaitable<Result<long long>> xack(Connection& c, std::string_view key, std::string_view group,
                                  const std::vector<std::string>& ids);

/// XPENDING key group (summary).
awaitable<Result<PendingSummary>> xpending(Connection& c, std::string_view key,
                                           std::string_view group);

/// XPENDING key group [IDLE min] start end count [consumer].
awaitable<Result<std::vector<PendingEntry>>> xpending_range(
    Connection& c, std::string_view key, std::string_view group, std::string_view start,
    std::string_view end, std::size_t count, std::string_view consumer = {},
    std::optional<std::chrono::milliseconds> min_idle = std::nullopt);

/// XAUTOCLAIM key group consumer min-idle start COUNT n.
awaitable<Result<AutoClaimResult>> xautoclaim(Connection& c, std::string_view key,
                                              std::string_view group, std::string_view consumer,
                                              std::chrono::milliseconds min_idle,
                                              std::string_view start, std::size_t count);

/// XTRIM key MAXLEN [~] n; returns how many entries were removed.
awaitable<Result<long long>> xtrim_maxlen(Connection& c, std::string_view key, std::size_t maxlen,
                                          bool approx = true);

/// XRANGE key start end [COUNT n], oldest first.
awaitable<Result<std::vector<StreamEntry>>> xrange(Connection& c, std::string_view key,
                                                   std::string_view start, std::string_view end,
                                                   std::optional<std::size_t> count = std::nullopt);

/// XREVRANGE key end start [COUNT n], newest first.
awaitable<Result<std::vector<StreamEntry>>> xrevrange(
    Connection& c, std::string_view key, std::string_view end, std::string_view start,
    std::optional<std::size_t> count = std::nullopt);

}  // namespace herald::redis::streams
