// Reading the two JSON parts of a JWS token: the JOSE header (which algorithm) and
// the claims set (Herald's claims plus exp/nbf). Internal to herald_access.
//
// Both take the already base64url-decoded JSON text and never throw.
// Decisions where RFC 7519 leaves room (documented in src/gateway/access/README.md):
//   - duplicate JSON keys: the last one wins (Boost.JSON, and JavaScript's JSON.parse);
//   - exp/nbf: JSON integers or finite floats (floored), clamped to int64; no leeway;
//   - sub: must be a non-empty string; a number is rejected (missing_subject) rather
//     than stringified, so "42" and 42 cannot name two spellings of one user;
//   - roles/channels: absent or null = empty; otherwise an array of strings;
//   - a header with "crit" is rejected (we understand no extensions).
#pragma once

#include <herald/gateway/jwt.hpp>

#include <boost/system/result.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace herald::gateway::detail {

/// Returns the header's `alg`. malformed unless the text is a JSON object with a
/// string `alg` and no `crit`. Cost: one JSON parse of `header_json`.
boost::system::result<std::string> read_jose_alg(std::string_view header_json);

/// Reads and checks the claims at time `now`: malformed (not an object, or a claim of
/// the wrong type), expired (exp missing or <= now), not_yet_valid (nbf > now),
/// missing_subject. Cost: one JSON parse of `payload_json`.
boost::system::result<JwtClaims> read_claims(std::string_view payload_json, std::int64_t now);

}  // namespace herald::gateway::detail
