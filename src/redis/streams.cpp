// Streams commands: build the command, send it, parse the reply with the sans-io
// parsers of stream_entry.cpp. Error replies become Errc::server_error.
#include <herald/redis/streams.hpp>

#include <string>

namespace herald::redis::streams {
namespace asio = boost::asio;

namespace {

/// A reply, or the error: transport errors as they are, error replies as server_error.
asio::awaitable<Result<Reply>> send(Connection& c, const Request& req) {
  auto reply = co_await c.exec(req);
  if (reply && reply->is_error()) co_return Errc::server_error;
  co_return reply;
}

Result<long long> integer_of(const Result<Reply>& reply) {
  if (!reply) return reply.error();
  auto n = reply->as_integer();
  if (!n) return Errc::unexpected_reply;
  return *n;
}

/// [COUNT n] [BLOCK ms] [NOACK] STREAMS k1 k2 ... id1 id2 ...
void append_read_tail(std::vector<std::string>& args, const std::vector<StreamCursor>& cursors,
                      std::size_t count, std::optional<std::chrono::milliseconds> block,
                      bool noack) {
  if (count > 0) {
    args.emplace_back("COUNT");
    args.push_back(std::to_string(count));
  }
  if (block) {
    args.emplace_back("BLOCK");
    args.push_back(std::to_string(block->count()));
  }
  if (noack) args.emplace_back("NOACK");
  args.emplace_back("STREAMS");
  for (const auto& c : cursors) args.push_back(c.stream);
  for (const auto& c : cursors) args.push_back(c.id);
}

/// A blocking read must be allowed to wait longer than its BLOCK before timing out.
void set_block_timeout(Request& req, std::optional<std::chrono::milliseconds> block) {
  if (block) req.timeout = *block + std::chrono::milliseconds{5000};
}

}  // namespace

asio::awaitable<Result<std::string>> xadd(Connection& c, std::string_view key,
                                          const StreamFields& fields,
                                          std::optional<std::size_t> maxlen_approx,
                                          std::string_view id) {
  std::vector<std::string_view> args;
  std::string maxlen;
  if (maxlen_approx) {
    maxlen = std::to_string(*maxlen_approx);
    args.insert(args.end(), {"MAXLEN", "~", maxlen});
  }
  args.push_back(id);
  for (const auto& [f, v] : fields) {
    args.push_back(f);
    args.push_back(v);
  }
  Request req;
  req.push_range("XADD", {key}, args);
  auto reply = co_await send(c, req);
  if (!reply) co_return reply.error();
  if (!reply->is_string()) co_return Errc::unexpected_reply;
  co_return std::move(reply->str);
}

asio::awaitable<Result<std::vector<StreamBatch>>> xread(
    Connection& c, const std::vector<StreamCursor>& cursors, std::size_t count,
    std::optional<std::chrono::milliseconds> block) {
  std::vector<std::string> args;
  append_read_tail(args, cursors, count, block, false);
  Request req;
  req.push_range("XREAD", {}, args);
  set_block_timeout(req, block);
  auto reply = co_await send(c, req);
  if (!reply) co_return reply.error();
  co_return parse_stream_batches(*reply);
}

asio::awaitable<Result<bool>> xgroup_create(Connection& c, std::string_view key,
                                            std::string_view group, std::string_view id,
                                            bool mkstream) {
  Request req;
  if (mkstream)
    req.push("XGROUP", "CREATE", key, group, id, "MKSTREAM");
  else
    req.push("XGROUP", "CREATE", key, group, id);
  auto reply = co_await c.exec(req);
  // bool is constructible from error_code, so the error must be placed explicitly.
  if (!reply) co_return Result<bool>{boost::system::in_place_error, reply.error()};
  if (reply->is_error()) {
    if (reply->str.starts_with("BUSYGROUP")) co_return false;
    co_return Errc::server_error;
  }
  co_return true;
}

asio::awaitable<Result<std::vector<StreamBatch>>> xreadgroup(
    Connection& c, std::string_view group, std::string_view consumer,
    const std::vector<StreamCursor>& cursors, std::size_t count,
    std::optional<std::chrono::milliseconds> block, bool noack) {
  std::vector<std::string> args;
  append_read_tail(args, cursors, count, block, noack);
  Request req;
  req.push_range("XREADGROUP", {"GROUP", group, consumer}, args);
  set_block_timeout(req, block);
  auto reply = co_await send(c, req);
  if (!reply) co_return reply.error();
  co_return parse_stream_batches(*reply);
}

asio::awaitable<Result<long long>> xack(Connection& c, std::string_view key, std::string_view group,
                                        const std::vector<std::string>& ids) {
  if (ids.empty()) co_return 0;
  Request req;
  req.push_range("XACK", {key, group}, ids);
  co_return integer_of(co_await send(c, req));
}

asio::awaitable<Result<PendingSummary>> xpending(Connection& c, std::string_view key,
                                                 std::string_view group) {
  Request req;
  req.push("XPENDING", key, group);
  auto reply = co_await send(c, req);
  if (!reply) co_return reply.error();
  co_return parse_pending_summary(*reply);
}

asio::awaitable<Result<std::vector<PendingEntry>>> xpending_range(
    Connection& c, std::string_view key, std::string_view group, std::string_view start,
    std::string_view end, std::size_t count, std::string_view consumer,
    std::optional<std::chrono::milliseconds> min_idle) {
  std::vector<std::string> args;
  if (min_idle) {
    args.emplace_back("IDLE");
    args.push_back(std::to_string(min_idle->count()));
  }
  args.emplace_back(start);
  args.emplace_back(end);
  args.push_back(std::to_string(count));
  if (!consumer.empty()) args.emplace_back(consumer);
  Request req;
  req.push_range("XPENDING", {key, group}, args);
  auto reply = co_await send(c, req);
  if (!reply) co_return reply.error();
  co_return parse_pending_entries(*reply);
}

asio::awaitable<Result<AutoClaimResult>> xautoclaim(Connection& c, std::string_view key,
                                                    std::string_view group,
                                                    std::string_view consumer,
                                                    std::chrono::milliseconds min_idle,
                                                    std::string_view start, std::size_t count) {
  Request req;
  req.push("XAUTOCLAIM", key, group, consumer, min_idle.count(), start, "COUNT", count);
  auto reply = co_await send(c, req);
  if (!reply) co_return reply.error();
  co_return parse_autoclaim(*reply);
}

asio::awaitable<Result<long long>> xtrim_maxlen(Connection& c, std::string_view key,
                                                std::size_t maxlen, bool approx) {
  Request req;
  if (approx)
    req.push("XTRIM", key, "MAXLEN", "~", maxlen);
  else
    req.push("XTRIM", key, "MAXLEN", maxlen);
  co_return integer_of(co_await send(c, req));
}

namespace {

asio::awaitable<Result<std::vector<StreamEntry>>> range(Connection& c, std::string_view command,
                                                        std::string_view key, std::string_view from,
                                                        std::string_view to,
                                                        std::optional<std::size_t> count) {
  Request req;
  if (count)
    req.push(command, key, from, to, "COUNT", *count);
  else
    req.push(command, key, from, to);
  auto reply = co_await send(c, req);
  if (!reply) co_return reply.error();
  co_return parse_stream_entries(*reply);
}

}  // namespace

asio::awaitable<Result<std::vector<StreamEntry>>> xrange(Connection& c, std::string_view key,
                                                         std::string_view start,
                                                         std::string_view end,
                                                         std::optional<std::size_t> count) {
  return range(c, "XRANGE", key, start, end, count);
}

asio::awaitable<Result<std::vector<StreamEntry>>> xrevrange(Connection& c, std::string_view key,
                                                            std::string_view end,
                                                            std::string_view start,
                                                            std::optional<std::size_t> count) {
  return range(c, "XREVRANGE", key, end, start, count);
}

}  // namespace herald::redis::streams
