// libFuzzer target for the proxy's header parsers and envelopes: Cache-Control,
// Surrogate-Control, Vary, Surrogate-Key, Cache-Tag, HTTP dates, the storage
// decision, and the StoredResponse / UrlRecord envelopes read back from Redis.
// The first byte picks the parser; the rest is the input. Properties:
// Routes: a valid [[route]] pattern matched against any path, tag templates expanded.
//   * nothing crashes, throws or reads out of bounds, whatever the bytes;
//   * every tag a parser returns is valid_tag(); Vary names are sorted and unique;
//   * a decision to store has a positive freshness and non-negative windows;
//   * envelopes that parse re-encode to bytes that parse to the same fields, and a
//     formatted date parses back to itself.
#include "proxy/core/cache_control.hpp"
#include "proxy/core/field_lists.hpp"
#include "proxy/core/http_date.hpp"
#include "proxy/core/proxy_key.hpp"
#include "proxy/core/route_table.hpp"
#include "proxy/core/storage_decision.hpp"
#include "proxy/core/stored_response.hpp"
#include "proxy/core/url_record.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

using namespace herald::proxy;

void check_tags(const std::vector<std::string>& tags) {
  for (const auto& t : tags)
    if (!valid_tag(t)) std::abort();
}

void stored_round_trip(std::string_view in) {
  auto v = StoredResponseView::parse(in);
  if (!v) return;
  StoredResponse r;
  r.stored_ms = v->stored_ms;
  r.age_s = v->age_s;
  r.fresh_ms = v->fresh_ms;
  r.swr_ms = v->swr_ms;
  r.sie_ms = v->sie_ms;
  r.status = v->status;
  r.vary = split_items(v->vary, ",");
  r.tags = split_items(v->tags, " ");
  r.etag = v->etag;
  r.last_modified = v->last_modified;
  r.head = v->head;
  r.body = v->body;
  const std::string again = r.encode();
  auto w = StoredResponseView::parse(again);
  if (!w || w->stored_ms != v->stored_ms || w->fresh_ms != v->fresh_ms || w->status != v->status ||
      w->head != v->head || w->body != v->body || w->etag != v->etag)
    std::abort();
  (void)v->age_at(v->stored_ms + 1000);
  (void)v->ttl_at(0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 9) {
    case 0: {
      auto cc = CacheControl::parse(in);
      if (cc.max_age && (*cc.max_age < 0 || *cc.max_age > (std::int64_t{1} << 31))) std::abort();
      break;
    }
    case 1:
      (void)CacheControl::parse_surrogate(in);
      break;
    case 2: {
      auto v = parse_vary(in);
      if (!std::is_sorted(v.names.begin(), v.names.end()) ||
          std::adjacent_find(v.names.begin(), v.names.end()) != v.names.end())
        std::abort();
      break;
    }
    case 3:
      check_tags(parse_surrogate_keys(in));
      check_tags(parse_cache_tags(in));
      break;
    case 4:
      if (auto t = parse_http_date(in)) {
        if (*t >= 0 && *t < 253402300800 && parse_http_date(format_http_date(*t)) != *t)
          std::abort();
      }
      break;
    case 5: {
      // Split the input into header lines "name: value\n" and decide.
      HeaderList h;
      for (const auto& line : split_items(in, "\n")) {
        auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        h.add(line.substr(0, colon), line.substr(colon + 1));
      }
      auto d = decide_storage(200, h, 1'700'000'000);
      if (d.store && (d.fresh_ms <= 0 || d.swr_ms < 0 || d.sie_ms < 0)) std::abort();
      check_tags(d.tags);
      (void)request_bypass("GET", h);
      (void)variant_key("h/p", d.vary.names, h);
      break;
    }
    case 6:
      stored_round_trip(in);
      break;
    case 7: {
      (void)valid_host(in);
      (void)canonical_url("h", in);
      if (auto r = UrlRecord::parse(in)) {
        auto again = UrlRecord::parse(r->encode());
        if (!again) std::abort();
        check_tags(again->tags);
      }
      break;
    }
    case 8: {
      // "pattern\npath\ntemplate": a valid rule matched against a path; expanded
      // tags are always valid.
      const auto parts = split_items(in, "\n");
      if (parts.size() < 2) break;
      RouteRule r;
      r.match = parts[0];
      if (parts.size() > 2) r.tags.push_back(parts[2]);
      if (RouteTable::validate({r})) break;
      RouteTable t({r});
      if (auto m = t.match("GET", parts[1])) check_tags(RouteTable::expand(r.tags, *m));
      break;
    }
  }
  return 0;
}
