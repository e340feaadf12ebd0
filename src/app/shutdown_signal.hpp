// ShutdownSignal: how `herald serve` and `herald demo` wait for SIGTERM/SIGINT.
// Construct it before any thread starts: it blocks both signals (and ignores
// SIGPIPE) so every thread inherits the mask and only wait() sees them.
#pragma once

#include <csignal>

namespace herald::app {

class ShutdownSignal {
 public:
  ShutdownSignal();
  /// Blocks the calling thread until SIGTERM or SIGINT; returns its name.
  const char* wait();

 private:
  sigset_t signals_;
};

}  // namespace herald::app
