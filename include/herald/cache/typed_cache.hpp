// Typed access to a Cache: values of any type T with a codec the caller supplies,
// and JSON through Boost.JSON with the built-in JsonCodec<T> (any T with
// `boost::json::value_from` / `value_to`, boost::json::value itself included).
//
//   struct Product { int id; std::string name; };           // + tag_invoke overloads
//   std::function<asio::awaitable<std::optional<Product>>()> loader =
//       [db, id] { return db->find(id); };                  // owns what it uses
//   auto op = get_or_set_json<Product>(cache, key, std::move(loader), policy);
//   auto r = co_await std::move(op);
//   if (r && r->value) use(*r->value);
//
// A Codec has `std::string encode(const T&)` and `std::optional<T> decode(std::string_view)`.
// A cached value the codec cannot decode is CacheErrc::decode_failed (and the key is
// removed, so the next read reloads it).
//
// Arguments and lifetimes as for Cache::get_or_set (cache.hpp): key, loader, policy
// and codec are owned by the operation; the loader may run after it answered
// (background refresh, soft timeout), so it must own what it touches. Thread: the
// cache's executor. Cost: one Cache::get_or_set, plus one decode on an L1/L2 hit.
#pragma once

#include <herald/cache/cache.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>

#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

namespace herald::cache {

template <class T>
struct TypedValue {
  std::optional<T> value;  ///< nullopt: "not found"
  CacheSource source = CacheSource::loader;
  bool stale = false;
};

/// T as JSON text: encode with value_from, decode with value_to. Bytes that are not
/// JSON, or JSON value_to rejects (it throws), decode to nullopt.
template <class T = boost::json::value>
struct JsonCodec {
  std::string encode(const T& v) const {
    return boost::json::serialize(boost::json::value_from(v));
  }
  std::optional<T> decode(std::string_view bytes) const {
    boost::system::error_code ec;
    auto v = boost::json::parse(bytes, ec);
    if (ec) return std::nullopt;
    try {
      return boost::json::value_to<T>(v);
    } catch (const std::exception&) {
      return std::nullopt;
    }
  }
};

template <class T, class Codec>
boost::asio::awaitable<Result<TypedValue<T>>> get_or_set_as(
    Cache& cache, std::string key, std::function<boost::asio::awaitable<std::optional<T>>()> loader,
    CachePolicy policy, Codec codec = {}) {
  // The loader's typed value, kept so the caller gets it without a decode.
  auto loaded = std::make_shared<std::optional<T>>();
  Loader raw = [loader = std::move(loader), loaded,
                codec]() -> boost::asio::awaitable<std::optional<std::string>> {
    *loaded = co_await loader();
    if (!*loaded) co_return std::nullopt;
    co_return codec.encode(**loaded);
  };
  // Named operations: g++ 12 mishandles temporaries inside co_await expressions.
  auto read = cache.get_or_set(key, std::move(raw), std::move(policy));
  auto r = co_await std::move(read);
  if (!r) co_return r.error();
  TypedValue<T> out{std::nullopt, r->source, r->stale};
  if (!r->value) co_return out;
  if (r->source == CacheSource::loader && *loaded) {
    out.value = std::move(*loaded);
    co_return out;
  }
  out.value = codec.decode(*r->value);
  if (!out.value) {
    auto removal = cache.remove(std::move(key));
    co_await std::move(removal);
    co_return CacheErrc::decode_failed;
  }
  co_return out;
}

/// get_or_set_as with JsonCodec<T>: T as JSON in the cache. T defaults to
/// boost::json::value (the loader is not used to deduce it: a lambda converts).
template <class T = boost::json::value>
boost::asio::awaitable<Result<TypedValue<T>>> get_or_set_json(
    Cache& cache, std::string key,
    std::type_identity_t<std::function<boost::asio::awaitable<std::optional<T>>()>> loader,
    CachePolicy policy) {
  return get_or_set_as<T, JsonCodec<T>>(cache, std::move(key), std::move(loader),
                                        std::move(policy));
}

}  // namespace herald::cache
