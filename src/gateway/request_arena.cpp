// RequestArena::deallocate (see request_arena.hpp for why it is out of line).
#include "gateway/request_arena.hpp"

namespace herald::gateway {

void RequestArena::deallocate(void* p, std::size_t align) noexcept {
  auto at = reinterpret_cast<std::uintptr_t>(p);
  auto begin = reinterpret_cast<std::uintptr_t>(buffer_);
  if (at >= begin && at < begin + capacity) return;  // reclaimed by reset()
  if (align > __STDCPP_DEFAULT_NEW_ALIGNMENT__) {
    ::operator delete (p, std::align_val_t{align});
  } else {
    ::operator delete(p);
  }
}

}  // namespace herald::gateway
