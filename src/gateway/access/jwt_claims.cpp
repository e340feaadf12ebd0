// JOSE header and claims-set reading for JwtVerifier (contract in jwt_claims.hpp).
#include "jwt_claims.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <cmath>
#include <limits>
#include <optional>

namespace herald::gateway::detail {
namespace {

namespace json = boost::json;

// Parses `text` as one JSON object; nullptr when it is not valid JSON or not an
// object. `storage` keeps the value alive for the returned pointer.
const json::object* parse_object(std::string_view text, json::value& storage) {
  boost::system::error_code ec;
  try {
    storage = json::parse(text, ec);
  } catch (const std::exception&) {  // bad_alloc or a depth/size limit
    return nullptr;
  }
  if (ec) return nullptr;
  return storage.if_object();
}

// A NumericDate (RFC 7519 section 2): an integer or a finite float, floored and
// clamped to int64 so huge values mean "far future" rather than overflow.
std::optional<std::int64_t> numeric_date(const json::value& v) {
  constexpr auto max = std::numeric_limits<std::int64_t>::max();
  constexpr auto min = std::numeric_limits<std::int64_t>::min();
  if (const auto* i = v.if_int64()) return *i;
  if (const auto* u = v.if_uint64()) {
    return *u > static_cast<std::uint64_t>(max) ? max : static_cast<std::int64_t>(*u);
  }
  if (const auto* d = v.if_double()) {
    if (!std::isfinite(*d)) return std::nullopt;
    double f = std::floor(*d);
    // 2^63 as a double is exactly representable; anything at or above it clamps.
    if (f >= 9223372036854775808.0) return max;
    if (f < -9223372036854775808.0) return min;
    return static_cast<std::int64_t>(f);
  }
  return std::nullopt;
}

// An optional array of strings: absent or null gives an empty list; anything else
// that is not an array of strings is an error (false).
bool string_array(const json::object& obj, std::string_view key, std::vector<std::string>& out) {
  const json::value* v = obj.if_contains(key);
  if (v == nullptr || v->is_null()) return true;
  const auto* arr = v->if_array();
  if (arr == nullptr) return false;
  out.reserve(arr->size());
  for (const auto& item : *arr) {
    const auto* s = item.if_string();
    if (s == nullptr) return false;
    out.emplace_back(s->data(), s->size());
  }
  return true;
}

}  // namespace

boost::system::result<std::string> read_jose_alg(std::string_view header_json) {
  json::value storage;
  const json::object* header = parse_object(header_json, storage);
  if (header == nullptr) return JwtError::malformed;
  if (header->contains("crit")) return JwtError::malformed;
  const json::value* alg = header->if_contains("alg");
  if (alg == nullptr || !alg->is_string()) return JwtError::malformed;
  const auto& s = alg->get_string();
  return std::string(s.data(), s.size());
}

boost::system::result<JwtClaims> read_claims(std::string_view payload_json, std::int64_t now) {
  json::value storage;
  const json::object* payload = parse_object(payload_json, storage);
  if (payload == nullptr) return JwtError::malformed;

  JwtClaims claims;
  try {
    // Types first, so a wrongly typed claim is reported as malformed whatever its
    // time; then the time checks; then the subject.
    std::optional<std::int64_t> exp;
    if (const json::value* v = payload->if_contains("exp")) {
      exp = numeric_date(*v);
      if (!exp) return JwtError::malformed;
    }
    std::optional<std::int64_t> nbf;
    if (const json::value* v = payload->if_contains("nbf")) {
      nbf = numeric_date(*v);
      if (!nbf) return JwtError::malformed;
    }
    const json::value* sub = payload->if_contains("sub");
    if (!string_array(*payload, "roles", claims.roles)) return JwtError::malformed;
    if (!string_array(*payload, "channels", claims.channels)) return JwtError::malformed;

    if (!exp || *exp <= now) return JwtError::expired;
    if (nbf && *nbf > now) return JwtError::not_yet_valid;
    if (sub == nullptr || !sub->is_string() || sub->get_string().empty()) {
      return JwtError::missing_subject;
    }
    claims.exp = *exp;
    claims.sub.assign(sub->get_string().data(), sub->get_string().size());
  } catch (const std::exception&) {  // bad_alloc while copying strings
    return JwtError::malformed;
  }
  return claims;
}

}  // namespace herald::gateway::detail
