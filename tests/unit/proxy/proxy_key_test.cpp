// Cache keys, the stored-response envelope, the URL record, Cache-Status, and which
// fields cross the proxy in each direction.
#include "proxy/core/proxy_key.hpp"
#include "proxy/core/cache_status.hpp"
#include "proxy/core/forwarding.hpp"
#include "proxy/core/stored_response.hpp"
#include "proxy/core/url_record.hpp"

#include <gtest/gtest.h>

namespace herald::proxy {
namespace {

TEST(ProxyKey, CanonicalUrl) {
  EXPECT_EQ(canonical_url("Example.COM", "/a/b?z=1&a=2&m"), "example.com/a/b?a=2&m&z=1");
  EXPECT_EQ(canonical_url("h", "/p"), "h/p");
  EXPECT_EQ(canonical_url("h", "/p?"), "h/p?");
  EXPECT_EQ(canonical_url("h", "/p?b=1&&a=1"), "h/p?a=1&b=1");
  EXPECT_FALSE(canonical_url("h", "http://evil/p"));
  EXPECT_FALSE(canonical_url("h", "*"));
  EXPECT_FALSE(canonical_url("h", ""));
  // Query order does not matter; path case does.
  EXPECT_EQ(url_key(*canonical_url("h", "/p?a=1&b=2")), url_key(*canonical_url("h", "/p?b=2&a=1")));
  EXPECT_NE(url_key(*canonical_url("h", "/P")), url_key(*canonical_url("h", "/p")));
  EXPECT_NE(url_key(*canonical_url("h1", "/p")), url_key(*canonical_url("h2", "/p")));
  EXPECT_EQ(url_key("x").size(), 5u + 32u);
  // Ignored parameters (a route's ignore_query) leave the key.
  const std::vector<std::string> ignored{"utm_*", "fbclid"};
  EXPECT_EQ(canonical_url("h", "/p?utm_source=x&b=1&fbclid=9&utm=keep", ignored),
            "h/p?b=1&utm=keep");
  EXPECT_EQ(canonical_url("h", "/p?utm_a", ignored), "h/p?");
}

TEST(ProxyKey, ValidHost) {
  for (const char* ok :
       {"example.com", "localhost:3000", "127.0.0.1:8080", "[::1]", "[::1]:80", "a-b.c"})
    EXPECT_TRUE(valid_host(ok)) << ok;
  for (const char* bad : {"", "evil.com/x", "a b", "a@b", "h:", "h:123456", "h:x", "[zz]", "[::1",
                          "ex\tample", ":80", "[::1]x"})
    EXPECT_FALSE(valid_host(bad)) << bad;
}

TEST(ProxyKey, VariantKeyUsesVariedHeaders) {
  const std::string url = "h/p";
  HeaderList gzip{{"Accept-Encoding", "gzip"}, {"X-Other", "1"}};
  HeaderList gzip2{{"accept-encoding", "gzip"}, {"X-Other", "2"}};
  HeaderList br{{"Accept-Encoding", "br"}};
  HeaderList none{};
  HeaderList empty{{"Accept-Encoding", ""}};
  const std::vector<std::string> vary{"accept-encoding"};
  EXPECT_EQ(variant_key(url, vary, gzip), variant_key(url, vary, gzip2));
  EXPECT_NE(variant_key(url, vary, gzip), variant_key(url, vary, br));
  EXPECT_NE(variant_key(url, vary, none), variant_key(url, vary, empty));
  EXPECT_EQ(variant_key(url, {}, gzip), variant_key(url, {}, br));
}

TEST(StoredResponse, RoundTrip) {
  StoredResponse r;
  r.stored_ms = 1'700'000'000'123;
  r.age_s = 3;
  r.fresh_ms = 60'000;
  r.swr_ms = 10'000;
  r.sie_ms = 0;
  r.status = 200;
  r.vary = {"accept-encoding"};
  r.tags = {"products", "product:42"};
  r.etag = "\"v1\"";
  r.head = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n";
  r.body = "hello";
  const std::string bytes = r.encode();
  auto v = StoredResponseView::parse(bytes);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->stored_ms, r.stored_ms);
  EXPECT_EQ(v->age_s, 3);
  EXPECT_EQ(v->fresh_ms, 60'000);
  EXPECT_EQ(v->swr_ms, 10'000);
  EXPECT_EQ(v->status, 200u);
  EXPECT_EQ(v->vary, "accept-encoding");
  EXPECT_EQ(v->tags, "products product:42");
  EXPECT_EQ(v->etag, "\"v1\"");
  EXPECT_EQ(v->last_modified, "");
  EXPECT_EQ(v->head, r.head);
  EXPECT_EQ(v->body, "hello");
  EXPECT_TRUE(v->fresh_at(r.stored_ms + 59'999));
  EXPECT_FALSE(v->fresh_at(r.stored_ms + 60'000));
  EXPECT_EQ(v->age_at(r.stored_ms + 10'500), 13);
  EXPECT_EQ(v->ttl_at(r.stored_ms + 10'500), 49);
  EXPECT_EQ(v->ttl_at(r.stored_ms + 61'000), -1);
  EXPECT_EQ(v->keep_ms(), 60'000 + StoredResponseView::kRevalidationKeepMs);  // has an ETag
  r.etag.clear();
  const std::string no_validator = r.encode();
  EXPECT_EQ(StoredResponseView::parse(no_validator)->keep_ms(), 70'000);  // fresh + swr
}

TEST(StoredResponse, Malformed) {
  StoredResponse r;
  r.status = 200;
  r.head = "HTTP/1.1 200 OK\r\n";
  r.body = "xy";
  const std::string good = r.encode();
  ASSERT_TRUE(StoredResponseView::parse(good));
  EXPECT_FALSE(StoredResponseView::parse(""));
  EXPECT_FALSE(StoredResponseView::parse("HP1 "));
  EXPECT_FALSE(StoredResponseView::parse(good.substr(0, good.size() - 1)));  // body short
  EXPECT_FALSE(StoredResponseView::parse(good + "z"));                       // body long
  EXPECT_FALSE(StoredResponseView::parse("HP2" + good.substr(3)));
  EXPECT_FALSE(StoredResponseView::parse("HP1 0 0 0 0 0 200 99999999999999999999 0\n\n\n\n\n"));
  EXPECT_FALSE(StoredResponseView::parse("HP1 0 0 0 0 0 200 -1 0\n\n\n\n\n"));
  EXPECT_FALSE(StoredResponseView::parse("HP1 0 0 0 0 0 42 0 0\n\n\n\n\n"));
  EXPECT_FALSE(StoredResponseView::parse("HP1 00 0 0 0 0 200 0 0\n\n\n\n\n"));
  EXPECT_TRUE(StoredResponseView::parse("HP1 0 0 0 0 0 200 0 0\n\n\n\n\n"));
  // Meta fields with line breaks are not written.
  r.etag = "a\nb";
  r.tags = {"ok", "bad\ntag"};
  const std::string cleaned = r.encode();
  auto v = StoredResponseView::parse(cleaned);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->etag, "");
  EXPECT_EQ(v->tags, "ok");
}

TEST(UrlRecord, RoundTripAndMalformed) {
  UrlRecord r{false, {"accept", "accept-encoding"}, {"products", "product:1"}};
  EXPECT_EQ(UrlRecord::parse(r.encode()), r);
  UrlRecord p{true, {}, {}};
  EXPECT_EQ(UrlRecord::parse(p.encode()), p);
  for (const char* bad : {"", "HU1", "HU1 2\n\n", "HU1 0\n", "HU1 0x\n\n", "HU1 0\n\r\n"})
    EXPECT_FALSE(UrlRecord::parse(bad)) << bad;
}

TEST(CacheStatus, Text) {
  EXPECT_EQ((CacheStatus{.hit = true, .ttl = 42}.str()), "herald; hit; ttl=42");
  EXPECT_EQ((CacheStatus{.fwd = "uri-miss", .fwd_status = 200, .stored = true}.str()),
            "herald; fwd=uri-miss; fwd-status=200; stored");
  EXPECT_EQ((CacheStatus{.fwd = "bypass", .detail = "cookie"}.str()),
            "herald; fwd=bypass; detail=cookie");
}

}  // namespace
}  // namespace herald::proxy

namespace herald::proxy {
namespace {

TEST(Forwarding, RequestFields) {
  HeaderList client{{"Host", "shop.example"},
                    {"Connection", "keep-alive, X-Secret"},
                    {"X-Secret", "1"},
                    {"Keep-Alive", "timeout=5"},
                    {"TE", "trailers"},
                    {"Upgrade", "h2c"},
                    {"Proxy-Authorization", "x"},
                    {"X-Forwarded-For", "6.6.6.6"},
                    {"X-Forwarded-Host", "evil"},
                    {"Forwarded", "for=6.6.6.6"},
                    {"X-Original-URL", "/admin"},
                    {"X-HTTP-Method-Override", "DELETE"},
                    {"If-None-Match", "\"a\""},
                    {"Accept", "text/html"},
                    {"Expect", "100-continue"}};
  auto fill = forward_request_headers(client, {"10.0.0.1", "http", true});
  EXPECT_EQ(fill.get("x-forwarded-for"), "10.0.0.1");
  EXPECT_EQ(fill.get("x-forwarded-host"), "shop.example");
  EXPECT_EQ(fill.get("x-forwarded-proto"), "http");
  EXPECT_EQ(fill.get("accept"), "text/html");
  EXPECT_EQ(fill.get("host"), "shop.example");
  for (const char* gone :
       {"connection", "x-secret", "keep-alive", "te", "upgrade", "proxy-authorization", "forwarded",
        "x-original-url", "x-http-method-override", "if-none-match", "expect"})
    EXPECT_FALSE(fill.has(gone)) << gone;
  // A pass-through keeps conditionals and method overrides (the app's business).
  auto pass = forward_request_headers(client, {"10.0.0.1", "http", false});
  EXPECT_TRUE(pass.has("if-none-match"));
  EXPECT_TRUE(pass.has("x-http-method-override"));
  EXPECT_FALSE(pass.has("x-secret"));
  EXPECT_EQ(pass.count("x-forwarded-for"), 1u);
}

TEST(Forwarding, ResponseHead) {
  HeaderList up{{"Content-Type", "text/plain"},
                {"Content-Length", "999"},
                {"Transfer-Encoding", "chunked"},
                {"Surrogate-Control", "max-age=5"},
                {"Surrogate-Key", "a b"},
                {"Cache-Tag", "c"},
                {"Age", "3"},
                {"Connection", "close"}};
  EXPECT_EQ(response_head(200, "OK", up, 5),
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n");
  EXPECT_EQ(response_head(200, "OK", up, 5, true),
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nSurrogate-Key: a b\r\n"
            "Cache-Tag: c\r\nContent-Length: 5\r\n");
  EXPECT_EQ(response_head(204, "No Content", {}, 0), "HTTP/1.1 204 No Content\r\n");
  EXPECT_EQ(response_head(200, "OK", {{"Content-Length", "42"}}, 0, false, true),
            "HTTP/1.1 200 OK\r\nContent-Length: 42\r\n");
}

}  // namespace
}  // namespace herald::proxy
