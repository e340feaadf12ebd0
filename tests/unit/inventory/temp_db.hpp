// TempDb: a fresh SQLite file path under the system temp directory for one test,
// removed (with its WAL and shared-memory files) afterwards.
#pragma once

#include <filesystem>
#include <random>
#include <string>

namespace herald::inventory::test {

class TempDb {
 public:
  TempDb() {
    std::random_device rd;
    path_ = (std::filesystem::temp_directory_path() /
             ("herald-inventory-" + std::to_string(rd()) + std::to_string(rd()) + ".db"))
                .string();
  }
  ~TempDb() {
    std::error_code ec;
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path_ + suffix, ec);
  }
  TempDb(const TempDb&) = delete;
  TempDb& operator=(const TempDb&) = delete;

  const std::string& path() const noexcept { return path_; }

 private:
  std::string path_;
};

}  // namespace herald::inventory::test
