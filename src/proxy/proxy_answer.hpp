// ProxyAnswer: one answer of the proxy as bytes ready for one gathered write: the
// head (status line and fields), the fields added at answer time (Age, Cache-Status,
// Connection) with the blank line, and the body. A cache hit's head and body are
// views into the stored value, which the answer keeps alive (no copy of the body).
//
// Thread: value type; built on the cache thread, written on the client's shard.
#pragma once

#include "proxy/fresh_copy.hpp"

#include <boost/asio/buffer.hpp>

#include <array>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace herald::proxy {

class UpstreamBodyStream;

/// What an answer was, for the per-route metrics (from its Cache-Status).
enum class ProxyOutcome { hit, stale, miss, bypass, error, purge };

struct ProxyAnswer {
  unsigned status = 0;
  ProxyOutcome outcome = ProxyOutcome::miss;
  /// The stored value a hit's head and body are taken from (null otherwise).
  std::shared_ptr<const std::string> value;
  std::size_t head_at = 0, head_len = 0, body_at = 0, body_len = 0;  ///< into *value
  std::string head;                                                  ///< used when value is null
  std::string extra;       ///< answer-time fields + "\r\n"
  std::string body;        ///< used when value is null
  bool head_only = false;  ///< HEAD request or 304: no body bytes
  bool keep_alive = true;
  /// Set on an answer read from the cache while fresh: the shard may keep it and
  /// answer the URL itself (FreshAnswerTable) until it is stale or invalidated.
  std::shared_ptr<const FreshCopy> fresh_copy;
  /// A body too large to store: buffers() carries the head only, the body follows
  /// from here (UpstreamBodyStream::relay), unless head_only.
  std::shared_ptr<UpstreamBodyStream> stream;

  std::array<boost::asio::const_buffer, 3> buffers() const {
    std::string_view h = head, b = body;
    if (value) {
      h = std::string_view{*value}.substr(head_at, head_len);
      b = std::string_view{*value}.substr(body_at, body_len);
    }
    if (head_only) b = {};
    return {boost::asio::buffer(h.data(), h.size()), boost::asio::buffer(extra),
            boost::asio::buffer(b.data(), b.size())};
  }
};

}  // namespace herald::proxy
