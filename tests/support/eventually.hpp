// eventually(): polls a condition every 20 ms until it holds or a limit passes, for
// tests that wait on an external process (a herald or redis-server child) where there
// is no event to wait on. Blocking: the test thread, never an io_context thread.
#pragma once

#include <chrono>
#include <thread>

namespace herald::test {

/// Polls `done` until it holds or `limit` passes; returns its last value.
template <class Fn>
bool eventually(Fn&& done, std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return done();
}

}  // namespace herald::test
