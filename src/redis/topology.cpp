// Topology: the names of its kinds (see topology.hpp).
#include <herald/redis/topology.hpp>

namespace herald::redis {

std::string_view to_string(Topology::Kind kind) noexcept {
  switch (kind) {
    case Topology::Kind::single:
      return "single";
    case Topology::Kind::sentinel:
      return "sentinel";
    case Topology::Kind::cluster:
      return "cluster";
  }
  return "single";
}

}  // namespace herald::redis
