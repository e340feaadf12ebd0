// free_loopback_port(): a TCP port on 127.0.0.1 that nobody listens on right now
// (bind to port 0, read the port, close). Another process could take it before we
// use it; the harness retries on a failed start.
#pragma once

#include <cstdint>

namespace herald::test {

std::uint16_t free_loopback_port();

}  // namespace herald::test
