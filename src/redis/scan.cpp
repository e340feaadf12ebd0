// ScanCursor: one SCAN call per next(); the reply is [next-cursor, [keys...]]. On a
// cluster, cursor 0 from one primary moves the walk to the next.
#include <herald/redis/scan.hpp>

namespace herald::redis {
namespace asio = boost::asio;

ScanCursor::ScanCursor(Connection& connection, std::string match, std::size_t count,
                       std::string type)
    : connection_(connection.handle()),
      match_(std::move(match)),
      count_(count == 0 ? 1 : count),
      type_(std::move(type)) {}

asio::awaitable<Result<std::vector<std::string>>> ScanCursor::next() {
  if (done_) co_return std::vector<std::string>{};
  if (nodes_.empty()) {
    nodes_ = connection_.nodes();
    if (nodes_.empty()) co_return Errc::not_connected;  // a cluster without its map yet
  }
  Request req;
  if (match_.empty() && type_.empty())
    req.push("SCAN", cursor_, "COUNT", count_);
  else if (type_.empty())
    req.push("SCAN", cursor_, "MATCH", match_, "COUNT", count_);
  else if (match_.empty())
    req.push("SCAN", cursor_, "COUNT", count_, "TYPE", type_);
  else
    req.push("SCAN", cursor_, "MATCH", match_, "COUNT", count_, "TYPE", type_);
  auto reply = co_await nodes_[node_].exec(req);
  if (!reply) co_return reply.error();
  if (reply->is_error()) co_return Errc::server_error;
  if (!reply->is_array() || reply->elements.size() != 2 || !reply->elements[0].is_string() ||
      !reply->elements[1].is_array())
    co_return Errc::unexpected_reply;
  cursor_ = reply->elements[0].str;
  if (cursor_ == "0") done_ = ++node_ == nodes_.size();
  std::vector<std::string> keys;
  keys.reserve(reply->elements[1].elements.size());
  for (auto& k : reply->elements[1].elements) {
    if (!k.is_string()) co_return Errc::unexpected_reply;
    keys.push_back(std::move(k.str));
  }
  co_return keys;
}

}  // namespace herald::redis
