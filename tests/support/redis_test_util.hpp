// Small helpers for tests of code that talks to Redis through herald::redis:
// one-line requests, a test-friendly ConnectionConfig, and unwrapping of Results.
// Header-only, for test binaries that link herald_redis.
#pragma once

#include <herald/redis/config.hpp>
#include <herald/redis/error.hpp>
#include <herald/redis/reply.hpp>
#include <herald/redis/request.hpp>

#include "support/redis_server.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace herald::test {

/// A test fixture with a private redis-server, started before each test.
class RedisServerTest : public ::testing::Test {
 protected:
  void SetUp() override { server_.start(); }
  RedisServer server_;
};

/// A one-command request: cmd("SET", "k", 1).
template <class... Args>
redis::Request cmd(std::string_view command, const Args&... args) {
  redis::Request r;
  r.push(command, args...);
  return r;
}

/// Config for url with fast reconnects (tests wait for recovery; production
/// defaults are in config.hpp). Throws when the URL does not parse.
inline redis::ConnectionConfig test_config(const std::string& url) {
  auto parsed = redis::RedisUrl::parse(url);
  if (!parsed) throw std::runtime_error("bad test URL " + url + ": " + parsed.error().message());
  redis::ConnectionConfig cfg;
  cfg.url = *parsed;
  cfg.reconnect_min = std::chrono::milliseconds(20);
  cfg.reconnect_max = std::chrono::milliseconds(200);
  return cfg;
}

/// The value of r, or an exception naming `what` and the error (run_coro turns it
/// into a test failure). For steps whose failure makes the rest meaningless.
template <class T>
T ok(redis::Result<T> r, std::string_view what = "redis call") {
  if (!r) throw std::runtime_error(std::string(what) + " failed: " + r.error().message());
  return std::move(*r);
}

inline void ok(redis::Result<void> r, std::string_view what = "redis call") {
  if (!r) throw std::runtime_error(std::string(what) + " failed: " + r.error().message());
}

/// A reply's string value, or a description of what it was instead (for EXPECT_EQ).
inline std::string str(const redis::Reply& r) {
  if (auto s = r.as_string()) return std::string(*s);
  return "<not a string: " + redis::to_string(r) + ">";
}

}  // namespace herald::test
