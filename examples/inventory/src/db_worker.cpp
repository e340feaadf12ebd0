// DbWorker: opening and closing the connection; run() is in the header.
#include <inventory/db_worker.hpp>

#include <sqlite3.h>

#include <stdexcept>

namespace herald::inventory {

DbWorker::DbWorker(const std::string& path) : path_(path) {
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
    std::string why = db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw std::runtime_error("cannot open database '" + path + "': " + why);
  }
  // WAL: readers never block the writer; synchronous=NORMAL is durable at every
  // checkpoint and safe against corruption, at a fraction of FULL's fsyncs.
  const char* pragmas =
      "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;";
  char* err = nullptr;
  if (sqlite3_exec(db_, pragmas, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string why = err != nullptr ? err : "unknown";
    sqlite3_free(err);
    sqlite3_close(db_);
    db_ = nullptr;
    throw std::runtime_error("cannot configure database '" + path + "': " + why);
  }
  sqlite3_busy_timeout(db_, 5000);
}

DbWorker::~DbWorker() {
  pool_.join();
  sqlite3_close_v2(db_);
}

}  // namespace herald::inventory
