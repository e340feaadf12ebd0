// Typed access to a Cache: values of any type T with a codec the caller supplies,
// and JSON (Boost.JSON) values with the built-in JsonCodec.
//
//   auto r = co_await get_or_set_json(cache, key, [&]() -> asio::awaitable<
//       std::optional<boost::json::value>> { co_return load_product(id); }, policy);
//   if (r && r->value) use(r->value->as_object());
//
// A Codec has `std::string encode(const T&)` and `std::optional<T> decode(std::string_view)`.
// A cached value the codec cannot decode is CacheErrc::decode_failed (and the key is
// removed, so the next read reloads it).
#pragma once

#include <herald/cache/cache.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace herald::cache {

template <class T>
struct TypedValue {
  std::optional<T> value;  ///< nullopt: "not found"
  CacheSource source = CacheSource::loader;
  bool stale = false;
};

struct JsonCodec {
  std::string encode(const boost::json::value& v) const { return boost::json::serialize(v); }
  std::optional<boost::json::value> decode(std::string_view bytes) const {
    boost::system::error_code ec;
    auto v = boost::json::parse(bytes, ec);
    if (ec) return std::nullopt;
    return v;
  }
};

template <class T, class Codec>
boost::asio::awaitable<Result<TypedValue<T>>> get_or_set_as(
    Cache& cache, const std::string& key,
    std::function<boost::asio::awaitable<std::optional<T>>()> loader, const CachePolicy& policy,
    Codec codec = {}) {
  // The loader's typed value, kept so the caller gets it without a decode.
  auto loaded = std::make_shared<std::optional<T>>();
  Loader raw = [loader, loaded, codec]() -> boost::asio::awaitable<std::optional<std::string>> {
    *loaded = co_await loader();
    if (!*loaded) co_return std::nullopt;
    co_return codec.encode(**loaded);
  };
  auto r = co_await cache.get_or_set(key, std::move(raw), policy);
  if (!r) co_return r.error();
  TypedValue<T> out{std::nullopt, r->source, r->stale};
  if (!r->value) co_return out;
  if (r->source == CacheSource::loader && *loaded) {
    out.value = std::move(*loaded);
    co_return out;
  }
  out.value = codec.decode(*r->value);
  if (!out.value) {
    co_await cache.remove(key);
    co_return CacheErrc::decode_failed;
  }
  co_return out;
}

inline boost::asio::awaitable<Result<TypedValue<boost::json::value>>> get_or_set_json(
    Cache& cache, const std::string& key,
    std::function<boost::asio::awaitable<std::optional<boost::json::value>>()> loader,
    const CachePolicy& policy) {
  return get_or_set_as<boost::json::value, JsonCodec>(cache, key, std::move(loader), policy);
}

}  // namespace herald::cache
