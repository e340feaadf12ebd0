// Script: EVALSHA first; on NOSCRIPT, EVAL (which also loads the script for next time).
#include <herald/redis/script.hpp>

#include <openssl/sha.h>

#include <array>

namespace herald::redis {
namespace asio = boost::asio;

namespace {

std::string sha1_hex(const std::string& text) {
  std::array<unsigned char, SHA_DIGEST_LENGTH> digest{};
  SHA1(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest.data());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(digest.size() * 2);
  for (unsigned char b : digest) {
    out += kHex[b >> 4];
    out += kHex[b & 0xf];
  }
  return out;
}

Request script_request(std::string_view command, std::string_view body,
                       const std::vector<std::string>& keys, const std::vector<std::string>& args) {
  std::vector<std::string_view> tail;
  tail.reserve(keys.size() + args.size());
  for (const auto& k : keys) tail.emplace_back(k);
  for (const auto& a : args) tail.emplace_back(a);
  Request req;
  req.push_range(command, {body, std::to_string(keys.size())}, tail);
  return req;
}

}  // namespace

Script::Script(std::string source) : source_(std::move(source)), sha1_(sha1_hex(source_)) {}

asio::awaitable<Result<Reply>> Script::run(Connection& connection,
                                           const std::vector<std::string>& keys,
                                           const std::vector<std::string>& args) const {
  // A handle, not the reference: the owner may destroy its Connection while we wait.
  Connection c = connection.handle();
  const Request evalsha = script_request("EVALSHA", sha1_, keys, args);
  auto reply = co_await c.exec(evalsha);
  if (!reply || !reply->is_error() || !reply->str.starts_with("NOSCRIPT")) co_return reply;
  const Request eval = script_request("EVAL", source_, keys, args);
  co_return co_await c.exec(eval);
}

asio::awaitable<Result<std::vector<Reply>>> Script::run_then(Connection& connection,
                                                             const std::vector<std::string>& keys,
                                                             const std::vector<std::string>& args,
                                                             const Request& after) const {
  Connection c = connection.handle();
  Request evalsha = script_request("EVALSHA", sha1_, keys, args);
  evalsha.append(after);
  evalsha.timeout = after.timeout;
  auto replies = co_await c.exec_all(evalsha);
  if (!replies || replies->empty() || !replies->front().is_error() ||
      !replies->front().str.starts_with("NOSCRIPT"))
    co_return replies;
  Request eval = script_request("EVAL", source_, keys, args);
  eval.append(after);
  eval.timeout = after.timeout;
  co_return co_await c.exec_all(eval);
}

asio::awaitable<Result<std::vector<Reply>>> Script::run_all(Connection& connection,
                                                            const std::vector<Call>& calls) const {
  Connection c = connection.handle();
  Request all;
  for (const Call& call : calls) all.append(script_request("EVALSHA", sha1_, call.keys, call.args));
  auto replies = co_await c.exec_all(all);
  if (!replies || replies->size() != calls.size()) co_return replies;
  auto noscript = [](const Reply& r) { return r.is_error() && r.str.starts_with("NOSCRIPT"); };
  std::size_t first = 0;
  while (first < replies->size() && !noscript((*replies)[first])) ++first;
  if (first == replies->size()) co_return replies;
  Request again;
  for (std::size_t i = first; i < calls.size(); ++i)
    again.append(script_request("EVAL", source_, calls[i].keys, calls[i].args));
  auto rest = co_await c.exec_all(again);
  if (!rest || rest->size() != calls.size() - first) co_return rest;
  for (std::size_t i = first; i < calls.size(); ++i) (*replies)[i] = std::move((*rest)[i - first]);
  co_return replies;
}

}  // namespace herald::redis
