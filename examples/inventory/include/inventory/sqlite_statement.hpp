// Statement: one prepared SQLite statement (RAII), with typed bind and column access.
//
// Used only on the DbWorker thread. Failures throw std::runtime_error carrying
// SQLite's message; the store catches them at each operation's boundary and turns
// them into StoreErrc::database, so no exception leaves the worker.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace herald::inventory {

class Statement {
 public:
  /// Prepares `sql`. Cost: a parse of the SQL (statements are short-lived here; the
  /// app's queries are few and cheap to prepare next to their I/O).
  Statement(sqlite3* db, std::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  /// Binds parameter `index` (1-based). Returns *this for chaining.
  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, double value);

  /// Advances: true when a row is available, false when done.
  bool step();
  /// Steps to completion, expecting no rows (INSERT/UPDATE/DELETE).
  void run();
  /// Resets for another execution with new bindings.
  void reset();

  std::int64_t int64(int column) const;
  double real(int column) const;
  std::string text(int column) const;
  bool is_null(int column) const;

  /// Runs one or more statements without results (BEGIN, COMMIT, DDL).
  static void exec(sqlite3* db, const char* sql);
  /// rowid of the last INSERT on this connection.
  static std::int64_t last_insert_id(sqlite3* db);

 private:
  [[noreturn]] void fail(const char* what) const;

  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

}  // namespace herald::inventory
