// base64url (RFC 4648 section 5) decoding for the three parts of a compact JWS token.
//
// Hand-written rather than OpenSSL's EVP_DecodeBlock: that needs the alphabet
// translated and padding re-added in a copy, silently skips whitespace, and pads its
// output with zero bytes that the caller must strip by guessing from the '=' count.
// JWS (RFC 7515 section 2) forbids padding, so a 30-line table decoder that is strict
// about exactly that is both simpler and stricter.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace herald::gateway::detail {

/// Decodes unpadded base64url. nullopt on a character outside [A-Za-z0-9_-] (so '='
/// padding and whitespace are rejected), on a length of 4n+1 (no byte string encodes
/// to that) or on non-zero leftover bits (a non-canonical encoding). Cost: O(n).
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace herald::gateway::detail
