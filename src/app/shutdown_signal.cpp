// ShutdownSignal: pthread_sigmask + sigwait, see shutdown_signal.hpp.
#include "app/shutdown_signal.hpp"

#include <pthread.h>

namespace herald::app {

ShutdownSignal::ShutdownSignal() {
  sigemptyset(&signals_);
  sigaddset(&signals_, SIGTERM);
  sigaddset(&signals_, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals_, nullptr);
  std::signal(SIGPIPE, SIG_IGN);  // a peer closing mid-write is an error code, not a death
}

const char* ShutdownSignal::wait() {
  int sig = 0;
  sigwait(&signals_, &sig);
  return sig == SIGTERM ? "SIGTERM" : "SIGINT";
}

}  // namespace herald::app
