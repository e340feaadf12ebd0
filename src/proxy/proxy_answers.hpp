// The answers the proxy builds (ProxyAnswer: head, answer-time fields, body), one
// source for each shape: an upstream failure (502/504 with the reason), a stored
// answer (or 304 when the client's copy is current) with Age and Cache-Status, a
// JSON answer of Herald's own (PURGE), the head of a streamed answer. Used on the
// cache's thread (CachingProxy) and on the shards (HttpProxy's fresh copies).
//
// Thread: pure functions (stored_answer counts 304s in an atomic). Cost: O(head).
#pragma once

#include "proxy/caching_proxy.hpp"
#include "proxy/core/cache_status.hpp"
#include "proxy/core/stored_response.hpp"
#include "proxy/upstream_pool.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace herald::proxy {

/// Wall clock, Unix milliseconds (the clock stored answers are dated by).
std::int64_t wall_ms();

/// Adds `Age` (when given), `Cache-Status`, `Connection: close` (when the request
/// did not keep the connection) and the blank line; sets the outcome from `cs`.
void finish(ProxyAnswer& a, const ProxyRequest& req, const CacheStatus& cs,
            std::optional<std::int64_t> age);
/// 502 / 504 with the failure's reason as a text body, never stored.
ProxyAnswer error_answer(const ProxyRequest& req, const UpstreamResult& r, CacheStatus cs);
/// The stored head and body of `value` (kept alive by the answer; nothing copied).
ProxyAnswer view_answer(const ProxyRequest& req, std::shared_ptr<const std::string> value,
                        const StoredResponseView& v);
/// A stored answer with its Age and `ttl`, or 304 when the client's copy is current
/// (counted in stats.not_modified).
ProxyAnswer stored_answer(const ProxyRequest& req, std::shared_ptr<const std::string> value,
                          const StoredResponseView& v, CacheStatus cs, ProxyStats& stats);
/// Herald's own JSON answer (PURGE), `Cache-Control: no-store`.
ProxyAnswer json_answer(const ProxyRequest& req, unsigned status, std::string_view reason,
                        std::string body);
/// The head of an answer whose body is streamed: the app's Content-Length kept, or
/// chunked when it gave none.
std::string streamed_head(const UpstreamResponse& r, bool keep_tag_headers);

}  // namespace herald::proxy
