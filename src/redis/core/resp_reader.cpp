// RespReader: hiredis's byte-level RESP2 parser with our own object functions, so
// replies are built as Reply trees in place.
//
// How the object functions build the tree: hiredis creates values depth-first and
// passes each value's parent task. The root is heap-allocated and owned by hiredis
// until handed to us (freeObject deletes it on error). A child is appended to its
// parent's `elements`; hiredis only ever keeps pointers to the chain of open arrays
// (root ... deepest open array), and appending to the deepest array never moves an
// array above it, so the pointers hiredis holds stay valid.
#include "redis/core/resp_reader.hpp"

#include <hiredis/read.h>

#include <algorithm>
#include <memory>

namespace herald::redis {
namespace {

struct ReaderContext {
  std::size_t max_array_elements;
  bool array_too_large = false;
};

/// The slot for a new value, default-constructed (nil) in place: a new element of its
/// parent array, or a new root on the heap (nullptr if that allocation fails, which
/// hiredis reports as out of memory). Filling the slot directly, rather than building
/// a Reply and moving it in, saves a move per value (MGETs are arrays of several).
Reply* slot(const redisReadTask* task) {
  if (task->parent != nullptr) {
    auto* parent = static_cast<Reply*>(task->parent->obj);
    return &parent->elements.emplace_back();
  }
  return new (std::nothrow) Reply();
}

void* create_string(const redisReadTask* task, char* str, std::size_t len) {
  Reply* r = slot(task);
  if (r == nullptr) return nullptr;
  switch (task->type) {
    case REDIS_REPLY_ERROR:
      r->type = ReplyType::error;
      break;
    case REDIS_REPLY_STATUS:
      r->type = ReplyType::status;
      break;
    default:
      r->type = ReplyType::string;
      break;
  }
  r->str.assign(str, len);
  return r;
}

void* create_array(const redisReadTask* task, int elements) {
  auto* ctx = static_cast<ReaderContext*>(task->privdata);
  if (elements < 0 || static_cast<std::size_t>(elements) > ctx->max_array_elements) {
    ctx->array_too_large = true;
    return nullptr;  // hiredis turns this into a reader error
  }
  Reply* r = slot(task);
  if (r == nullptr) return nullptr;
  r->type = ReplyType::array;
  // Reserve what was announced, but not more than a modest amount up front: the
  // elements still have to arrive, and a lying header must not cost memory.
  r->elements.reserve(std::min<std::size_t>(static_cast<std::size_t>(elements), 4096));
  return r;
}

void* create_integer(const redisReadTask* task, long long value) {
  Reply* r = slot(task);
  if (r == nullptr) return nullptr;
  r->type = ReplyType::integer;
  r->integer = value;
  return r;
}

void* create_nil(const redisReadTask* task) {
  return slot(task);
}

void free_object(void* obj) {
  delete static_cast<Reply*>(obj);
}

redisReplyObjectFunctions kFunctions = {create_string, create_array, create_integer, create_nil,
                                        free_object};

}  // namespace

RespReader::RespReader(std::size_t max_array_elements)
    : reader_(redisReaderCreateWithFunctions(&kFunctions)),
      max_array_elements_(max_array_elements) {
  if (reader_ != nullptr) reader_->privdata = new ReaderContext{max_array_elements_};
}

RespReader::~RespReader() {
  if (reader_ == nullptr) return;
  delete static_cast<ReaderContext*>(reader_->privdata);
  redisReaderFree(reader_);
}

void RespReader::reset() {
  if (reader_ != nullptr) {
    delete static_cast<ReaderContext*>(reader_->privdata);
    redisReaderFree(reader_);
  }
  reader_ = redisReaderCreateWithFunctions(&kFunctions);
  if (reader_ != nullptr) reader_->privdata = new ReaderContext{max_array_elements_};
  error_text_.clear();
}

Result<void> RespReader::feed(const char* data, std::size_t size) {
  if (reader_ == nullptr || reader_->err != 0) return Errc::protocol_error;
  if (redisReaderFeed(reader_, data, size) != REDIS_OK) {
    error_text_ = reader_->errstr;
    return Errc::protocol_error;
  }
  return {};
}

Result<std::optional<Reply>> RespReader::next() {
  if (reader_ == nullptr || reader_->err != 0) return Errc::protocol_error;
  void* obj = nullptr;
  if (redisReaderGetReply(reader_, &obj) != REDIS_OK) {
    auto* ctx = static_cast<ReaderContext*>(reader_->privdata);
    error_text_ = ctx->array_too_large ? "array length out of range" : reader_->errstr;
    return Errc::protocol_error;
  }
  if (obj == nullptr) return std::optional<Reply>{};
  std::unique_ptr<Reply> root{static_cast<Reply*>(obj)};
  return std::optional<Reply>{std::move(*root)};
}

}  // namespace herald::redis
