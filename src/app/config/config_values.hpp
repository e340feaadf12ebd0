// Text -> value parsers for `herald serve` settings. Flags and environment variables
// arrive as text; TOML values are turned into the same text first (see toml_config),
// so every source gets exactly the same checks and the same wording.
//
// Each parser returns nullopt on success, or why the text is bad (without naming the
// flag/variable/key: the caller knows which it was and prefixes it). All strict: no
// whitespace trimming, no sign on unsigned numbers, no unit suffixes.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace herald::app::detail {

/// Why a value was refused; nullopt = accepted.
using Problem = std::optional<std::string>;

/// HOST:PORT, or [IPV6]:PORT. An empty host (":8080") means every interface and is
/// stored as "0.0.0.0". Port 0..65535 (0: the OS picks one, handy in tests).
Problem parse_listen(std::string_view text, std::string& host, std::uint16_t& port);

/// A decimal integer in [min, max].
Problem parse_unsigned(std::string_view text, std::uint64_t min, std::uint64_t max,
                       std::uint64_t& out);

/// A finite decimal number > 0 (e.g. "100", "2.5").
Problem parse_positive_number(std::string_view text, double& out);

/// One of `choices`, exactly (case-sensitive).
Problem parse_choice(std::string_view text, std::initializer_list<std::string_view> choices,
                     std::string& out);

/// Comma-separated origins; items are trimmed, empty items skipped. Each is "*" or
/// scheme://host[:port] without a path, as browsers send in the Origin header.
Problem parse_origins(std::string_view text, std::vector<std::string>& out);

/// Empty (none) or a URL starting with redis://, rediss:// or unix://. The Redis layer parses the
/// rest when it connects; this catches the common mistakes (host:port, http://).
Problem parse_redis_url(std::string_view text, std::string& out);

/// http://HOST[:PORT][/] (port 80 when omitted): the upstream of the HTTP cache
/// gateway. No path, user info, query or https (TLS to the upstream is not supported).
Problem parse_upstream_url(std::string_view text, std::string& host, std::uint16_t& port);

/// Quotes `text` for an error message, escaping control characters and truncating at
/// 80 bytes so a hostile value cannot flood the log.
std::string printable(std::string_view text);

}  // namespace herald::app::detail
