// RequestArena: the memory of one HTTP request's head on a keep-alive connection, and
// RequestAllocator, the allocator that takes it (Beast's fields and target of the
// request being parsed). A bump pointer over a fixed buffer: what does not fit goes
// to the heap as usual. reset() before each request makes the buffer reusable, so a
// common request's head (a publish: four or five fields) costs no malloc/free.
//
// Thread: the connection's. Contract: reset() only while nothing allocated from the
// arena is alive (the parser of the last request is gone). Cost: the buffer (in the
// request loop's coroutine frame); an allocation is a few instructions, a
// deallocation inside the buffer is a no-op.
#pragma once

#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <cstddef>
#include <cstdint>
#include <new>

namespace herald::gateway {

class RequestArena {
 public:
  static constexpr std::size_t capacity = 2048;

  RequestArena() = default;
  RequestArena(const RequestArena&) = delete;
  RequestArena& operator=(const RequestArena&) = delete;

  void reset() noexcept { used_ = 0; }

  /// `bytes` from the buffer, or from the heap when they do not fit.
  void* allocate(std::size_t bytes, std::size_t align) {
    std::size_t start = (used_ + align - 1) & ~(align - 1);
    if (align <= alignof(std::max_align_t) && start <= capacity && bytes <= capacity - start) {
      used_ = start + bytes;
      return buffer_ + start;
    }
    if (align > __STDCPP_DEFAULT_NEW_ALIGNMENT__)
      return ::operator new (bytes, std::align_val_t{align});
    return ::operator new(bytes);
  }
  /// A no-op inside the buffer; heap blocks go back to the heap. Out of line (in
  /// request_arena.cpp): inlined into a caller whose arena is on the stack, GCC 12 at
  /// -O2 reports the heap branch as freeing a stack object (-Wfree-nonheap-object),
  /// although the range check keeps it from ever running for one.
  void deallocate(void* p, std::size_t align) noexcept;

 private:
  alignas(std::max_align_t) std::byte buffer_[capacity];
  std::size_t used_ = 0;
};

template <class T>
class RequestAllocator {
 public:
  using value_type = T;

  explicit RequestAllocator(RequestArena& arena) noexcept : arena_(&arena) {}
  template <class U>
  RequestAllocator(const RequestAllocator<U>& other) noexcept : arena_(other.arena()) {}

  T* allocate(std::size_t n) {
    return static_cast<T*>(arena_->allocate(n * sizeof(T), alignof(T)));
  }
  void deallocate(T* p, std::size_t) noexcept { arena_->deallocate(p, alignof(T)); }

  RequestArena* arena() const noexcept { return arena_; }
  template <class U>
  bool operator==(const RequestAllocator<U>& other) const noexcept {
    return arena_ == other.arena();
  }

 private:
  RequestArena* arena_;
};

/// A request whose head (fields, target) lives in a RequestArena; the body is a
/// plain std::string (moved out as it is).
using ArenaFields = boost::beast::http::basic_fields<RequestAllocator<char>>;
using ArenaRequest = boost::beast::http::request<boost::beast::http::string_body, ArenaFields>;
using ArenaRequestParser =
    boost::beast::http::request_parser<boost::beast::http::string_body, RequestAllocator<char>>;

}  // namespace herald::gateway
