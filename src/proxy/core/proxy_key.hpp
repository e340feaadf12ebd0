// Cache keys of proxied responses (RFC 9111 section 4.1, Vary section 4.1).
//
// Primary key: the URL without the method (GET and HEAD share entries): the Host
// (lower-cased; or the configured host) + the path as sent + the query parameters
// sorted (raw bytes, stable order), so `?b=2&a=1` and `?a=1&b=2` are one entry.
// Variant key: the primary key + the values of the request headers the response's
// Vary names, in name order (absent and empty differ). Both are XXH3-128 hashed
// into fixed-size Redis keys under the `px` namespace ("px:u:<hex>", "px:v:<hex>").
//
// Thread: pure functions. Cost: O(target + header bytes) plus a sort of the query.
#pragma once

#include "proxy/core/header_list.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace herald::proxy {

/// A Host value that is safe to key on: a name or IPv4 address ([A-Za-z0-9.-]+) or
/// an [IPv6] literal, with an optional :port. Anything else is refused (the request
/// bypasses the cache), so odd Host values cannot create or poison entries.
bool valid_host(std::string_view host) noexcept;

/// The canonical URL text: "<host><path>?<sorted query>", or nullopt when the target
/// is not origin-form ("/..."). `host` is lower-cased here. Parameters whose name
/// matches `ignored` (exact, or a prefix ending in '*': "utm_*") are left out.
std::optional<std::string> canonical_url(std::string_view host, std::string_view target,
                                         const std::vector<std::string>& ignored = {});

/// "px:u:<32 hex>": the record of a URL (which Vary names and tags its responses use).
std::string url_key(std::string_view canonical);
/// "px-url:<32 hex>": the tag every variant of a URL is stored under, so that PURGE
/// drops them all (on every node) without knowing their Vary'd values.
std::string url_tag(std::string_view canonical);
/// How many directory levels of a path get a tag (directory_tags): `PURGE /a/b/c/*`
/// works down to this depth. 4 bounds the tags every entry carries (each one is a
/// version checked on every L2 read).
inline constexpr std::size_t kPurgeDirectoryDepth = 4;
/// "px-dir:<32 hex>" for each directory of the canonical URL's path, "/" included,
/// down to kPurgeDirectoryDepth levels ("h/a/b/c" -> "h/", "h/a/", "h/a/b/"): the tags
/// that let PURGE drop every URL under a path prefix on every node.
std::vector<std::string> directory_tags(std::string_view canonical);
/// The tag of one directory ("<host>/a/b/", as directory_tags builds them).
std::string directory_tag(std::string_view host_and_directory);

/// "px:v:<32 hex>": one variant's stored response.
std::string variant_key(std::string_view canonical, const std::vector<std::string>& vary_names,
                        const HeaderList& request);

}  // namespace herald::proxy
