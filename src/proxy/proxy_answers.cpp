// The proxy's answers: failures, stored answers and 304s, JSON, streamed heads.
#include "proxy/proxy_answers.hpp"

#include "proxy/core/forwarding.hpp"
#include "proxy/revalidation.hpp"

#include <chrono>

namespace herald::proxy {

std::int64_t wall_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

void finish(ProxyAnswer& a, const ProxyRequest& req, const CacheStatus& cs,
            std::optional<std::int64_t> age) {
  a.outcome = cs.detail.starts_with("upstream-")         ? ProxyOutcome::error
              : cs.detail == "purge"                     ? ProxyOutcome::purge
              : cs.hit && cs.fwd.empty()                 ? ProxyOutcome::hit
              : cs.hit                                   ? ProxyOutcome::stale
              : cs.fwd == "bypass" || cs.fwd == "method" ? ProxyOutcome::bypass
                                                         : ProxyOutcome::miss;
  if (age) a.extra += "Age: " + std::to_string(*age) + "\r\n";
  a.extra += "Cache-Status: " + cs.str() + "\r\n";
  a.keep_alive = req.keep_alive;
  if (!a.keep_alive) a.extra += "Connection: close\r\n";
  a.extra += "\r\n";
}

ProxyAnswer error_answer(const ProxyRequest& req, const UpstreamResult& r, CacheStatus cs) {
  const unsigned status = failure_status(r.failure);
  cs.detail = failure_detail(r.failure);
  ProxyAnswer a;
  a.status = status;
  a.body = (status == 504 ? "504 Gateway Timeout: " : "502 Bad Gateway: ") + r.detail + "\n";
  a.head = "HTTP/1.1 " + std::to_string(status) +
           (status == 504 ? " Gateway Timeout\r\n" : " Bad Gateway\r\n") +
           "Content-Type: text/plain; charset=utf-8\r\nCache-Control: no-store\r\n"
           "Content-Length: " +
           std::to_string(a.body.size()) + "\r\n";
  finish(a, req, cs, std::nullopt);
  a.head_only = req.method == "HEAD";
  return a;
}

ProxyAnswer view_answer(const ProxyRequest& req, std::shared_ptr<const std::string> value,
                        const StoredResponseView& v) {
  ProxyAnswer a;
  a.status = v.status;
  const char* base = value->data();
  a.head_at = static_cast<std::size_t>(v.head.data() - base);
  a.head_len = v.head.size();
  a.body_at = static_cast<std::size_t>(v.body.data() - base);
  a.body_len = v.body.size();
  a.value = std::move(value);
  a.head_only = req.method == "HEAD";
  return a;
}

ProxyAnswer stored_answer(const ProxyRequest& req, std::shared_ptr<const std::string> value,
                          const StoredResponseView& v, CacheStatus cs, ProxyStats& stats) {
  const std::int64_t now = wall_ms();
  cs.ttl = v.ttl_at(now);
  if (not_modified(req.headers, v)) {
    ++stats.not_modified;
    ProxyAnswer a;
    a.status = 304;
    a.head = "HTTP/1.1 304 Not Modified\r\n";
    if (!v.etag.empty()) a.head += "ETag: " + std::string(v.etag) + "\r\n";
    if (!v.last_modified.empty())
      a.head += "Last-Modified: " + std::string(v.last_modified) + "\r\n";
    a.head_only = true;
    finish(a, req, cs, v.age_at(now));
    return a;
  }
  ProxyAnswer a = view_answer(req, std::move(value), v);
  finish(a, req, cs, v.age_at(now));
  return a;
}

ProxyAnswer json_answer(const ProxyRequest& req, unsigned status, std::string_view reason,
                        std::string body) {
  ProxyAnswer a;
  a.status = status;
  a.body = std::move(body);
  a.head = "HTTP/1.1 " + std::to_string(status) + " " + std::string(reason) +
           "\r\nContent-Type: application/json\r\nCache-Control: no-store\r\n"
           "Content-Length: " +
           std::to_string(a.body.size()) + "\r\n";
  finish(a, req, CacheStatus{.detail = "purge"}, std::nullopt);
  return a;
}

std::string streamed_head(const UpstreamResponse& r, bool keep_tag_headers) {
  std::string head =
      response_head(r.status, r.reason, r.headers, 0, keep_tag_headers, /*head_answer=*/true);
  if (!r.headers.has("content-length")) head += "Transfer-Encoding: chunked\r\n";
  return head;
}

}  // namespace herald::proxy
