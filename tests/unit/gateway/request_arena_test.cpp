// RequestArena / ArenaRequestParser: request heads parsed into the arena (no sockets):
// small heads stay in the buffer, larger ones spill to the heap intact, reset() reuses it.
#include "gateway/request_arena.hpp"

#include <gtest/gtest.h>

#include <boost/asio/buffer.hpp>

#include <cstdint>
#include <string>
#include <tuple>
#include <utility>

namespace herald::gateway {
namespace {

namespace http = boost::beast::http;

bool inside(const RequestArena& arena, const void* p) {
  auto at = reinterpret_cast<std::uintptr_t>(p);
  auto begin = reinterpret_cast<std::uintptr_t>(&arena);
  return at >= begin && at < begin + sizeof(RequestArena);
}

// Parses `text` completely into a parser on `arena`; returns the request.
ArenaRequest parse(RequestArena& arena, const std::string& text) {
  ArenaRequestParser parser(std::piecewise_construct, std::make_tuple(),
                            std::make_tuple(RequestAllocator<char>(arena)));
  parser.eager(true);
  boost::system::error_code ec;
  std::size_t used = parser.put(boost::asio::buffer(text), ec);
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_EQ(used, text.size());
  EXPECT_TRUE(parser.is_done());
  return parser.release();
}

TEST(RequestArena, SmallAllocationsStayInTheBuffer) {
  RequestArena arena;
  RequestAllocator<char> alloc(arena);
  char* a = alloc.allocate(100);
  char* b = alloc.allocate(100);
  EXPECT_TRUE(inside(arena, a));
  EXPECT_TRUE(inside(arena, b));
  EXPECT_NE(a, b);
  RequestAllocator<std::uint64_t> words(alloc);  // rebound: same arena, aligned
  std::uint64_t* w = words.allocate(3);
  EXPECT_TRUE(inside(arena, w));
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(w) % alignof(std::uint64_t), 0u);
  EXPECT_TRUE(alloc == RequestAllocator<char>(words));
  words.deallocate(w, 3);
  alloc.deallocate(b, 100);
  alloc.deallocate(a, 100);
  arena.reset();
  EXPECT_EQ(alloc.allocate(10), a);  // the buffer starts over
}

TEST(RequestArena, LargeAllocationsGoToTheHeap) {
  RequestArena arena;
  RequestAllocator<char> alloc(arena);
  char* big = alloc.allocate(RequestArena::capacity + 1);
  EXPECT_FALSE(inside(arena, big));
  big[RequestArena::capacity] = 'x';  // ASan: really that large
  alloc.deallocate(big, RequestArena::capacity + 1);
  char* fits = alloc.allocate(RequestArena::capacity);
  EXPECT_TRUE(inside(arena, fits));
  char* spill = alloc.allocate(1);  // the buffer is full
  EXPECT_FALSE(inside(arena, spill));
  alloc.deallocate(spill, 1);
}

TEST(RequestArena, ParsesAPublishInTheBuffer) {
  RequestArena arena;
  std::string body = R"({"channel":"c","data":1})";
  ArenaRequest req = parse(arena,
                           "POST /api/publish HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nContent-Type: "
                           "application/json\r\nAccept: application/json\r\nContent-Length: " +
                               std::to_string(body.size()) + "\r\n\r\n" + body);
  EXPECT_EQ(req.method(), http::verb::post);
  EXPECT_EQ(req.target(), "/api/publish");
  EXPECT_EQ(req[http::field::host], "127.0.0.1:8080");
  EXPECT_EQ(req[http::field::accept], "application/json");
  EXPECT_EQ(req.body(), body);
  EXPECT_TRUE(req.keep_alive());
  EXPECT_TRUE(inside(arena, req.target().data()));
  EXPECT_TRUE(inside(arena, req[http::field::host].data()));
}

TEST(RequestArena, HeadsLargerThanTheBufferSpillIntact) {
  RequestArena arena;
  for (int round = 0; round < 3; ++round) {  // reset between requests, as the loop does
    arena.reset();
    std::string text = "GET /x?q=" + std::string(300, 'q') + " HTTP/1.1\r\nHost: h\r\n";
    for (int i = 0; i < 40; ++i)
      text += "X-Field-" + std::to_string(i) + ": " + std::string(50 + i, 'a' + i % 26) + "\r\n";
    text += "\r\n";
    ArenaRequest req = parse(arena, text);
    EXPECT_EQ(req.target().size(), 305u);  // "/x?q=" and 300 q
    for (int i = 0; i < 40; ++i) {
      EXPECT_EQ(req["X-Field-" + std::to_string(i)], std::string(50 + i, 'a' + i % 26)) << i;
    }
  }
}

}  // namespace
}  // namespace herald::gateway
