// Revalidation and conditional answers (RFC 9111 section 4.3, RFC 9110 section 13):
// the validators a cache fill sends with a stale copy, a stored answer refreshed by
// the app's 304, the client's If-None-Match / If-Modified-Since checked against a
// stored answer, and the status and Cache-Status detail of an upstream failure.
//
// Thread: pure functions. Cost: O(header bytes).
#pragma once

#include "proxy/core/header_list.hpp"
#include "proxy/core/stored_response.hpp"
#include "proxy/upstream_pool.hpp"

#include <string_view>

namespace herald::proxy {

/// The fill request plus the stored answer's validators (RFC 9111 section 4.3.1).
UpstreamRequest conditional(UpstreamRequest u, const StoredResponseView& v);
/// A stored answer as an upstream response (status, reason, fields, body).
UpstreamResponse from_stored(const StoredResponseView& v);
/// RFC 9111 section 4.3.4: the stored answer, its fields replaced by the 304's.
UpstreamResponse freshened(const StoredResponseView& v, const UpstreamResponse& not_modified);
/// 504 for a timeout, else 502.
unsigned failure_status(UpstreamFailure f);
/// "upstream-timeout" | "upstream-malformed" | "upstream-unreachable".
std::string_view failure_detail(UpstreamFailure f);
/// Weak comparison of entity tags (RFC 9110 section 8.8.3.2) against a list.
bool etag_matches(std::string_view list, std::string_view etag);
/// True when the client's conditional fields say its copy is current (If-None-Match
/// first; If-Modified-Since only without it).
bool not_modified(const HeaderList& request, const StoredResponseView& v);

}  // namespace herald::proxy
