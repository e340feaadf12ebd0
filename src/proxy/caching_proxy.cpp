// CachingProxy: the bypass / cold / warm / stale paths (see caching_proxy.hpp).
#include "proxy/caching_proxy.hpp"

#include "proxy/core/cache_status.hpp"
#include "proxy/core/field_lists.hpp"
#include "proxy/core/forwarding.hpp"
#include "proxy/core/http_date.hpp"
#include "proxy/core/proxy_key.hpp"
#include "proxy/core/route_table.hpp"
#include "proxy/core/storage_decision.hpp"
#include "proxy/core/stored_response.hpp"
#include "proxy/core/url_record.hpp"
#include "proxy/keyed_flights.hpp"
#include "proxy/proxy_answers.hpp"
#include "proxy/revalidation.hpp"
#include "proxy/upstream_pool.hpp"

#include <herald/cache/cache.hpp>

#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>

namespace herald::proxy {

namespace asio = boost::asio;
using asio::awaitable;
using std::chrono::milliseconds;

namespace {

/// One upstream answer fetched to fill the cache, and what the rules say about it.
struct Fill {
  UpstreamResult result;
  StorageDecision decision;
  std::shared_ptr<const std::string> envelope;  ///< always built for an answer
  bool storable = false;                        ///< decision.store and small enough
  bool stored = false;
  bool mine = false;         ///< this caller's loader ran (not a collapsed waiter)
  bool revalidated = false;  ///< the upstream said 304 to our validators
};

}  // namespace

struct CachingProxy::State : std::enable_shared_from_this<CachingProxy::State> {
  State(asio::any_io_executor e, cache::Cache& c, ProxyOptions o)
      : ex(std::move(e)),
        cache(c),
        options(std::move(o)),
        pool(ex, options),
        routes(options.routes),
        by_route(std::make_unique<ProxyStats[]>(routes.size())),
        record_reads(ex),
        shared_reads(ex) {}

  asio::any_io_executor ex;
  cache::Cache& cache;
  ProxyOptions options;
  UpstreamPool pool;
  RouteTable routes;
  ProxyStats stats;
  std::unique_ptr<ProxyStats[]> by_route;  ///< one per route rule
  /// Concurrent requests for one URL share one cache read of its record, one cold
  /// fill, one read of a variant (KeyedFlights: why).
  KeyedFlights<std::optional<cache::CacheValue>> record_reads;
  KeyedFlights<cache::Result<cache::CacheValue>> shared_reads;

  void observe_upstream(int route, std::chrono::steady_clock::duration d) {
    stats.observe_upstream(d);
    if (route >= 0) by_route[static_cast<std::size_t>(route)].observe_upstream(d);
  }
  std::unordered_set<std::string> refreshing;  ///< variant keys with a refresh running
  bool stopped = false;

  // Invalidations seen (this node's and, through the cache's bus, the others'), so
  // that an answer fetched while one of its tags was invalidated is not stored: the
  // app may have rendered it before the write. (The cache's own compare-and-set
  // covers loads whose tags are known up front; a cold URL's tags are not.)
  std::uint64_t invalidation_seq = 0;
  std::uint64_t forgotten_before = 0;  ///< tag_seq was cleared at this seq
  std::unordered_map<std::string, std::uint64_t> tag_seq;

  void invalidated(const std::vector<std::string>& tags) {
    ++invalidation_seq;
    if (tag_seq.size() > 100'000) {  // bound the memory: forget, and distrust older fills
      tag_seq.clear();
      forgotten_before = invalidation_seq;
    }
    for (const auto& t : tags) tag_seq[t] = invalidation_seq;
  }

  /// True when a fill that started at `since` was overtaken by an invalidation of one
  /// of `tags`.
  bool overtaken(std::uint64_t since, const std::vector<std::string>& tags) const {
    if (since < forgotten_before) return true;
    for (const auto& t : tags)
      if (auto it = tag_seq.find(t); it != tag_seq.end() && it->second > since) return true;
    return false;
  }

  // ------------------------------------------------------------------ policies

  cache::CachePolicy base_policy() const {
    cache::CachePolicy p;
    p.jitter = 0;
    p.negative_ttl = milliseconds{0};
    p.stale_grace = milliseconds{0};
    p.fail_safe_max = milliseconds{0};
    p.soft_timeout = milliseconds{0};
    p.hard_timeout = milliseconds{0};  // the upstream's own timeouts bound a load
    p.lock = true;
    p.lock_wait = options.connect_timeout + options.header_timeout;
    p.lock_ttl = p.lock_wait + options.body_timeout;
    return p;
  }

  cache::CachePolicy url_policy(const std::shared_ptr<Fill>& fill = nullptr) const {
    cache::CachePolicy p = base_policy();
    p.ttl = options.url_record_ttl;
    p.l1_ttl = milliseconds{60'000};
    const milliseconds ttl = options.url_record_ttl;
    // A failed or 5xx fill leaves no record: the next request tries again.
    p.ttl_of = [fill, ttl](const std::string&) {
      if (fill && (!fill->result.response || fill->result.response->status >= 500))
        return milliseconds{0};
      return ttl;
    };
    return p;
  }

  /// Variant entries live for freshness + the longer stale window (the envelope's own
  /// figures); `fill` set: the loader's answer, stored only if it said so.
  cache::CachePolicy variant_policy(std::vector<std::string> tags,
                                    const std::shared_ptr<Fill>& fill = nullptr) const {
    cache::CachePolicy p = base_policy();
    p.tags = std::move(tags);
    p.l1_ttl = milliseconds{24 * 3'600'000};  // bounded by the entry's own life
    p.ttl_of = [fill](const std::string& value) {
      if (fill && !fill->storable) return milliseconds{0};
      auto v = StoredResponseView::parse(value);
      if (!v || v->fresh_ms <= 0) return milliseconds{0};
      return milliseconds{v->keep_ms()};
    };
    return p;
  }

  // ------------------------------------------------------------------ upstream

  UpstreamRequest fill_request(const ProxyRequest& req) const {
    UpstreamRequest u;
    u.method = "GET";  // HEAD misses fetch the whole answer, for later GETs too
    u.target = req.target;
    u.headers = forward_request_headers(req.headers, {req.client_ip, "http", true});
    if (req.plan.route && !req.plan.route->rule->key_cookies.empty()) {
      // Only the cookies that are in the key reach the app: the answer cannot depend
      // on the others.
      const std::string kept =
          kept_cookies(req.headers.get("cookie").value_or(""), req.plan.route->rule->key_cookies);
      u.headers.remove("cookie");
      if (!kept.empty()) u.headers.add("Cookie", kept);
    }
    return u;
  }

  /// Fetches an answer for the cache. With `stored`, a revalidation: the request
  /// carries the stored validators, and a 304 turns the stored answer into a fresh one.
  awaitable<std::shared_ptr<Fill>> fetch_fill(const UpstreamRequest& u, const ResponseRules& rules,
                                              const StoredResponseView* stored = nullptr) {
    auto f = std::make_shared<Fill>();
    ++stats.upstream_requests;
    const std::uint64_t since = invalidation_seq;
    const auto started = std::chrono::steady_clock::now();
    if (stored != nullptr) {
      const UpstreamRequest c = conditional(u, *stored);
      f->result = co_await pool.fetch(c);
    } else {
      f->result = co_await pool.fetch(u);
    }
    observe_upstream(rules.route, std::chrono::steady_clock::now() - started);
    if (!f->result.response) {
      ++stats.upstream_errors;
      co_return f;
    }
    if (stored != nullptr && f->result.response->status == 304) {
      f->result.response = freshened(*stored, *f->result.response);
      f->revalidated = true;
    }
    if (rules.strip_set_cookie) f->result.response->headers.remove("set-cookie");
    const UpstreamResponse& r = *f->result.response;
    const std::int64_t now = wall_ms();
    f->decision = decide_storage(r.status, r.headers, now / 1000, rules);
    StoredResponse s;
    s.stored_ms = now;
    s.age_s = f->decision.age_s;
    s.fresh_ms = f->decision.store ? f->decision.fresh_ms : 0;
    s.swr_ms = f->decision.swr_ms;
    s.sie_ms = f->decision.sie_ms;
    s.status = r.status;
    s.vary = f->decision.vary.names;
    s.tags = f->decision.tags;
    if (auto e = r.headers.first("etag")) s.etag = std::string(*e);
    if (auto lm = r.headers.first("last-modified")) s.last_modified = std::string(*lm);
    if (f->result.stream) {
      // Too large to store: the head only (the app's length, or chunked); the body is
      // relayed to the client that asked, never shared with collapsed waiters.
      s.fresh_ms = 0;
      s.head = streamed_head(r, options.expose_tag_headers);
    } else {
      s.head =
          response_head(r.status, r.reason, r.headers, r.body.size(), options.expose_tag_headers);
      s.body = r.body;
    }
    f->envelope = std::make_shared<const std::string>(s.encode());
    f->storable = f->decision.store;
    if (f->storable && f->result.stream) {
      f->storable = false;
      f->decision.reason = "too-large";
    }
    if (f->storable && f->envelope->size() > options.max_object_bytes) {
      f->storable = false;
      f->decision.reason = "too-large";
    }
    if (f->storable && overtaken(since, f->decision.tags)) {
      f->storable = false;
      f->decision.reason = "invalidated";
    }
    co_return f;
  }

  /// Stores a storable fill: the variant under its tags, then the URL's record if
  /// it changed (Vary names or tags).
  awaitable<void> store(const std::shared_ptr<Fill>& f, const std::string& canonical,
                        const HeaderList& request, const std::optional<UrlRecord>& known) {
    if (!f->storable) co_return;
    UrlRecord rec{false, f->decision.vary.names, f->decision.tags};
    const std::string vkey = variant_key(canonical, rec.vary, request);
    const cache::CachePolicy vpolicy = variant_policy(rec.tags);
    co_await cache.set(vkey, *f->envelope, vpolicy);
    f->stored = true;
    if (!known || *known != rec) {
      const std::string ukey = url_key(canonical);
      const cache::CachePolicy upolicy = url_policy();
      co_await cache.set(ukey, rec.encode(), upolicy);
    }
  }

  // ------------------------------------------------------------------ answers

  /// What the shards may serve themselves (and hand to the requests waiting behind
  /// this one): a fresh stored answer read at `generation`; null while the bus is down
  /// (L1 itself then serves only briefly, and so do the shards).
  std::shared_ptr<const FreshCopy> fresh_copy(std::shared_ptr<const std::string> value,
                                              const StoredResponseView& v,
                                              std::vector<std::string> vary, std::string variant,
                                              std::uint64_t generation) const {
    if (!cache.coherent()) return nullptr;
    auto copy = std::make_shared<FreshCopy>();
    copy->view = v;
    copy->value = std::move(value);
    copy->vary = std::move(vary);
    copy->variant = std::move(variant);
    copy->generation = generation;
    return copy;
  }

  /// The fresh copy of a fill this request stored; null when it stored nothing fresh.
  std::shared_ptr<const FreshCopy> fill_copy(const Fill& f, const std::string& canonical,
                                             const HeaderList& request,
                                             std::uint64_t generation) const {
    if (!f.stored || !f.envelope) return nullptr;
    auto v = StoredResponseView::parse(*f.envelope);
    if (!v || !v->fresh_at(wall_ms())) return nullptr;
    const std::vector<std::string>& vary = f.decision.vary.names;
    return fresh_copy(f.envelope, *v, vary, variant_key(canonical, vary, request), generation);
  }

  /// An answer straight from a fill (miss, bypass): the envelope's head and body.
  ProxyAnswer fill_answer(const ProxyRequest& req, const std::shared_ptr<Fill>& f, CacheStatus cs) {
    if (!f->result.response) return error_answer(req, f->result, cs);
    auto v = StoredResponseView::parse(*f->envelope);
    ProxyAnswer a = view_answer(req, f->envelope, *v);
    a.stream = f->result.stream;
    cs.fwd_status = f->revalidated ? 304u : f->result.response->status;
    cs.stored = f->stored;
    if (!f->storable && cs.detail.empty() && !f->decision.reason.empty())
      cs.detail = f->decision.reason;
    finish(a, req, cs, f->decision.age_s > 0 ? std::optional{f->decision.age_s} : std::nullopt);
    return a;
  }

  // ------------------------------------------------------------------ paths

  awaitable<ProxyAnswer> bypass(const ProxyRequest& req, std::string_view why,
                                const std::optional<RouteMatch>& route) {
    ++stats.bypasses;
    UpstreamRequest u;
    u.method = req.method;
    u.target = req.target;
    u.headers = forward_request_headers(req.headers, {req.client_ip, "http", false});
    u.body = req.body;
    ++stats.upstream_requests;
    const auto started = std::chrono::steady_clock::now();
    UpstreamResult r = co_await pool.fetch(u);
    observe_upstream(route ? routes.index_of(route->rule) : -1,
                     std::chrono::steady_clock::now() - started);
    CacheStatus cs;
    cs.fwd = why == "method" ? "method" : "bypass";
    if (why != "method") cs.detail = why;
    if (!r.response) {
      ++stats.upstream_errors;
      co_return error_answer(req, r, cs);
    }
    const UpstreamResponse& res = *r.response;
    if (route && why == "method" && res.status >= 200 && res.status < 300 &&
        !route->rule->invalidate.empty()) {
      // A write rule: the write succeeded, so what it changed is dropped everywhere
      // (and the tag: channels told) before the client hears back: its next read is
      // fresh.
      const std::vector<std::string> tags = RouteTable::expand(route->rule->invalidate, *route);
      if (!tags.empty()) {
        ++stats.write_invalidations;
        co_await cache.invalidate_tags(tags);
      }
    }
    ProxyAnswer a;
    a.status = res.status;
    if (r.stream) {
      a.head = streamed_head(res, options.expose_tag_headers);
      a.stream = r.stream;
    } else {
      a.head = response_head(res.status, res.reason, res.headers, res.body.size(),
                             options.expose_tag_headers, req.method == "HEAD");
      a.body = std::move(r.response->body);
    }
    a.head_only = req.method == "HEAD";
    cs.fwd_status = res.status;
    finish(a, req, cs, std::nullopt);
    co_return a;
  }

  /// PURGE <url>: drops every variant of the URL on every node (its URL tag) and the
  /// URL's record. Gated like Herald's HTTP API.
  awaitable<ProxyAnswer> purge(const ProxyRequest& req, const std::optional<std::string>& url) {
    if (!req.api_allowed)
      co_return json_answer(req, 401, "Unauthorized",
                            R"({"error":{"code":401,"message":"missing or wrong API key"}})");
    if (!url)
      co_return json_answer(req, 400, "Bad Request",
                            R"({"error":{"code":400,"message":"bad Host or target"}})");
    ++stats.purges;
    // `PURGE /dir/*`: every URL under /dir/ (its directory tag); else the one URL.
    const bool prefix = url->ends_with("/*");
    std::vector<std::string> tags;
    if (prefix) {
      const std::string_view dir = std::string_view{*url}.substr(0, url->size() - 1);
      const auto depth = static_cast<std::size_t>(std::count(dir.begin(), dir.end(), '/'));
      if (depth > kPurgeDirectoryDepth)
        co_return json_answer(
            req, 400, "Bad Request",
            R"({"error":{"code":400,"message":"a purged prefix is at most 4 directories deep"}})");
      tags.push_back(directory_tag(dir));
    } else {
      tags.push_back(url_tag(*url));
    }
    auto r = co_await cache.invalidate_tags(tags);
    if (!prefix) {
      // The URL's record goes too (its next answer may vary differently).
      const std::string ukey = url_key(*url);
      co_await cache.remove(ukey);
    }
    if (!r)
      co_return json_answer(
          req, 503, "Service Unavailable",
          R"({"error":{"code":503,"message":"the cache's Redis is unreachable"}})");
    co_return json_answer(req, 200, "OK",
                          prefix ? R"({"purged":true,"prefix":true})" : R"({"purged":true})");
  }

  awaitable<ProxyAnswer> handle(ProxyRequest req) {
    // Read before anything is read from the cache: a copy handed to the shards is
    // only served while the generation still says this (see FreshAnswerTable).
    const std::uint64_t generation = cache.generation();
    const RequestPlan& plan = req.plan;
    const std::optional<RouteMatch>& route = plan.route;
    const std::optional<std::string>& canonical = plan.canonical;
    const ResponseRules& rules = plan.rules;
    if (plan.purge) co_return co_await purge(req, canonical);
    if (plan.bypass) co_return co_await bypass(req, *plan.bypass, route);

    const std::string ukey = url_key(*canonical);
    std::optional<UrlRecord> rec;
    const cache::CachePolicy record_policy = url_policy();
    auto record_read = record_reads.run(ukey, [&] { return cache.get(ukey, record_policy); });
    if (auto r = co_await std::move(record_read); r && r->value) rec = UrlRecord::parse(*r->value);
    bool collapsed = false;
    if (!rec) {
      // Cold URL: one fill for the whole cluster; it stores the variant and the record.
      auto fill = std::make_shared<Fill>();
      auto self = shared_from_this();
      const UpstreamRequest u = fill_request(req);
      const HeaderList headers = req.headers;
      const std::string url = *canonical;
      cache::Loader loader = [self, fill, u, headers, url,
                              rules]() -> awaitable<std::optional<std::string>> {
        auto f = co_await self->fetch_fill(u, rules);
        *fill = std::move(*f);
        fill->mine = true;
        if (!fill->result.response) throw std::runtime_error(fill->result.detail);
        co_await self->store(fill, url, headers, std::nullopt);
        UrlRecord r{!fill->storable, fill->decision.vary.names, fill->decision.tags};
        co_return r.encode();
      };
      const cache::CachePolicy fill_policy = url_policy(fill);
      auto fill_read = shared_reads.run(
          ukey, [&] { return cache.get_or_set(ukey, std::move(loader), fill_policy); });
      auto r = co_await std::move(fill_read);
      if (fill->mine) {
        ++stats.misses;
        ProxyAnswer a = fill_answer(req, fill, CacheStatus{.fwd = "uri-miss"});
        a.fresh_copy = fill_copy(*fill, *canonical, req.headers, generation);
        co_return a;
      }
      if (!r || !r->value || !(rec = UrlRecord::parse(*r->value))) {
        ++stats.upstream_errors;
        UpstreamResult failed;
        failed.failure = UpstreamFailure::unreachable;
        failed.detail = "upstream failed (collapsed request)";
        co_return error_answer(req, failed, CacheStatus{.fwd = "uri-miss", .collapsed = true});
      }
      collapsed = r->source == cache::CacheSource::loader;
    }

    if (rec->pass) {
      // Its last answer could not be stored: no queueing behind one another.
      ++stats.misses;
      const UpstreamRequest pass_request = fill_request(req);
      auto fill = co_await fetch_fill(pass_request, rules);
      if (fill->result.response) co_await store(fill, *canonical, req.headers, rec);
      co_return fill_answer(req, fill, CacheStatus{.fwd = "miss", .detail = "pass"});
    }

    const std::string vkey = variant_key(*canonical, rec->vary, req.headers);
    auto fill = std::make_shared<Fill>();
    auto self = shared_from_this();
    const UpstreamRequest u = fill_request(req);
    const HeaderList headers = req.headers;
    const std::string url = *canonical;
    const UrlRecord known = *rec;
    cache::Loader loader = [self, fill, u, headers, url, known,
                            rules]() -> awaitable<std::optional<std::string>> {
      auto f = co_await self->fetch_fill(u, rules);
      *fill = std::move(*f);
      fill->mine = true;
      if (!fill->result.response) throw std::runtime_error(fill->result.detail);
      UrlRecord now{false, fill->decision.vary.names, fill->decision.tags};
      if (fill->storable && now != known) {
        // Its Vary names or tags changed: store it under the new ones (the cache would
        // store this load under the old tags) and update the record.
        co_await self->store(fill, url, headers, known);
        fill->storable = false;  // not again under the old tags by the cache
        fill->stored = true;
      }
      co_return *fill->envelope;
    };
    const cache::CachePolicy vpolicy = variant_policy(rec->tags, fill);
    auto variant_read =
        shared_reads.run(vkey, [&] { return cache.get_or_set(vkey, std::move(loader), vpolicy); });
    auto r = co_await std::move(variant_read);
    if (fill->mine) {
      ++stats.misses;
      if (fill->storable) fill->stored = true;  // the cache's write-back stores it
      ProxyAnswer a = fill_answer(req, fill, CacheStatus{.fwd = "miss", .collapsed = collapsed});
      a.fresh_copy = fill_copy(*fill, *canonical, req.headers, generation);
      co_return a;
    }
    if (!r || !r->value) {
      ++stats.upstream_errors;
      UpstreamResult failed;
      failed.failure = UpstreamFailure::unreachable;
      failed.detail = "upstream failed (collapsed request)";
      co_return error_answer(req, failed, CacheStatus{.fwd = "miss", .collapsed = true});
    }
    auto value = std::make_shared<const std::string>(std::move(*r->value));
    auto v = StoredResponseView::parse(*value);
    if (!v) {
      co_await cache.remove(vkey);
      co_return co_await bypass(req, "corrupt-entry", route);
    }
    if (v->fresh_ms <= 0) {
      // A collapsed waiter whose shared answer may not be shared: ask for its own.
      co_return co_await bypass(req, "not-shareable", route);
    }
    collapsed = collapsed || r->source == cache::CacheSource::loader;
    const std::int64_t now = wall_ms();
    if (v->fresh_at(now)) {
      ++stats.hits;
      ProxyAnswer a =
          stored_answer(req, value, *v, CacheStatus{.hit = true, .collapsed = collapsed}, stats);
      a.fresh_copy = fresh_copy(std::move(value), *v, rec->vary, vkey, generation);
      co_return a;
    }
    const std::int64_t stale_for = now - (v->stored_ms + v->fresh_ms);
    if (stale_for < v->swr_ms) {
      ++stats.stale;
      refresh_in_background(vkey, u, url, headers, known, rules, value);
      co_return stored_answer(
          req, value, *v,
          CacheStatus{.hit = true, .fwd = "stale", .detail = "stale-while-revalidate"}, stats);
    }
    // Stale past stale-while-revalidate: ask the upstream (with the stored validators:
    // a 304 refreshes the stored answer); stale-if-error covers its failures and 5xx.
    auto f = co_await fetch_fill(u, rules, &*v);
    const bool failed = !f->result.response || f->result.response->status >= 500;
    if (failed && stale_for < v->sie_ms) {
      ++stats.stale;
      CacheStatus cs{.hit = true, .fwd = "stale", .detail = "stale-if-error"};
      if (f->result.response) cs.fwd_status = f->result.response->status;
      co_return stored_answer(req, value, *v, cs, stats);
    }
    ++stats.misses;
    if (f->result.response) co_await store(f, url, headers, known);
    co_return fill_answer(req, f, CacheStatus{.fwd = "stale"});
  }

  void refresh_in_background(const std::string& vkey, UpstreamRequest u, std::string url,
                             HeaderList headers, UrlRecord known, ResponseRules rules,
                             std::shared_ptr<const std::string> stale) {
    if (stopped || !refreshing.insert(vkey).second) return;
    auto self = shared_from_this();
    asio::co_spawn(
        ex,
        [self, vkey, u = std::move(u), url = std::move(url), headers = std::move(headers),
         known = std::move(known), rules = std::move(rules),
         stale = std::move(stale)]() -> awaitable<void> {
          const auto v = StoredResponseView::parse(*stale);  // views into *stale
          auto f = co_await self->fetch_fill(u, rules, v ? &*v : nullptr);
          if (f->result.response && !self->stopped) co_await self->store(f, url, headers, known);
          self->refreshing.erase(vkey);
        },
        asio::detached);
  }
};

CachingProxy::CachingProxy(asio::any_io_executor ex, cache::Cache& cache, ProxyOptions options)
    : state_(std::make_shared<State>(std::move(ex), cache, std::move(options))) {
  std::weak_ptr<State> weak = state_;
  cache.on_invalidate([weak](const std::vector<std::string>& tags) {
    if (auto s = weak.lock()) s->invalidated(tags);
  });
}

CachingProxy::~CachingProxy() {
  state_->stopped = true;
}

awaitable<ProxyAnswer> CachingProxy::handle(ProxyRequest request) {
  auto s = state_;
  const int route = request.plan.route ? s->routes.index_of(request.plan.route->rule) : -1;
  ProxyAnswer a = co_await s->handle(std::move(request));
  if (route >= 0) count(s->by_route[static_cast<std::size_t>(route)], a.outcome);
  co_return a;
}

const ProxyStats& CachingProxy::route_stats(std::size_t route) const noexcept {
  return state_->by_route[route];
}

ProxyStats& CachingProxy::route_stats(std::size_t route) noexcept {
  return state_->by_route[route];
}

const ProxyStats& CachingProxy::stats() const noexcept {
  return state_->stats;
}

ProxyStats& CachingProxy::stats() noexcept {
  return state_->stats;
}

const RouteTable& CachingProxy::routes() const noexcept {
  return state_->routes;
}

void CachingProxy::stop() {
  state_->stopped = true;
}

}  // namespace herald::proxy
