// Revalidation and conditional answers (see revalidation.hpp).
#include "proxy/revalidation.hpp"

#include "proxy/core/field_lists.hpp"
#include "proxy/core/http_date.hpp"

namespace herald::proxy {

/// The fill request plus the stored answer's validators (RFC 9111 section 4.3.1).
UpstreamRequest conditional(UpstreamRequest u, const StoredResponseView& v) {
  if (!v.etag.empty()) {
    u.headers.add("If-None-Match", std::string(v.etag));
  } else if (!v.last_modified.empty()) {
    u.headers.add("If-Modified-Since", std::string(v.last_modified));
  }
  return u;
}

/// A stored answer as an upstream response (status, reason, fields, body), from the
/// head it was stored with.
UpstreamResponse from_stored(const StoredResponseView& v) {
  UpstreamResponse r;
  r.status = v.status;
  std::string_view head = v.head;
  std::size_t end = head.find("\r\n");
  const std::string_view first = head.substr(0, end);
  if (auto sp = first.find(' '); sp != std::string_view::npos) {
    const auto sp2 = first.find(' ', sp + 1);
    if (sp2 != std::string_view::npos) r.reason = std::string(first.substr(sp2 + 1));
  }
  while (end != std::string_view::npos && end + 2 < head.size()) {
    const std::size_t start = end + 2;
    end = head.find("\r\n", start);
    const std::string_view line = head.substr(start, end - start);
    const auto colon = line.find(": ");
    if (colon == std::string_view::npos) continue;
    if (iequals(line.substr(0, colon), "content-length")) continue;  // recomputed
    r.headers.add(std::string(line.substr(0, colon)), std::string(line.substr(colon + 2)));
  }
  r.body = std::string(v.body);
  return r;
}

/// RFC 9111 section 4.3.4: the stored answer, its fields replaced by the 304's.
UpstreamResponse freshened(const StoredResponseView& v, const UpstreamResponse& not_modified) {
  UpstreamResponse stored = from_stored(v);
  UpstreamResponse out;
  out.status = stored.status;
  out.reason = stored.reason;
  out.body = std::move(stored.body);
  for (const auto& [name, value] : stored.headers.fields())
    if (!not_modified.headers.has(name)) out.headers.add(name, value);
  for (const auto& [name, value] : not_modified.headers.fields())
    if (!iequals(name, "content-length") && !iequals(name, "transfer-encoding"))
      out.headers.add(name, value);
  return out;
}

unsigned failure_status(UpstreamFailure f) {
  return f == UpstreamFailure::timeout ? 504 : 502;
}

std::string_view failure_detail(UpstreamFailure f) {
  switch (f) {
    case UpstreamFailure::timeout:
      return "upstream-timeout";
    case UpstreamFailure::malformed:
      return "upstream-malformed";
    default:
      return "upstream-unreachable";
  }
}

/// Weak comparison of entity tags (RFC 9110 section 8.8.3.2) against a list.
bool etag_matches(std::string_view list, std::string_view etag) {
  if (etag.empty()) return false;
  auto opaque = [](std::string_view t) {
    if (t.starts_with("W/")) t.remove_prefix(2);
    return t;
  };
  const std::string_view mine = opaque(etag);
  bool match = false;
  for_each_item(list, ",", [&](std::string_view item) {
    match = match || item == "*" || opaque(item) == mine;
  });
  return match;
}

/// True when the client's conditional fields say its copy is current (RFC 9110
/// section 13.2.2: If-None-Match first; If-Modified-Since only without it).
bool not_modified(const HeaderList& request, const StoredResponseView& v) {
  if (auto inm = request.get("if-none-match")) return etag_matches(*inm, v.etag);
  if (auto ims = request.first("if-modified-since")) {
    const auto since = parse_http_date(*ims);
    const auto modified = parse_http_date(v.last_modified);
    return since && modified && *modified <= *since;
  }
  return false;
}

}  // namespace herald::proxy
