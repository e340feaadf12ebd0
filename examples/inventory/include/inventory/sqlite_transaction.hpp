// Transaction: BEGIN IMMEDIATE ... COMMIT, rolled back by the destructor unless
// committed. IMMEDIATE takes the write lock at once, so a read-then-write (check the
// stock, then take it) cannot be overtaken by another writer. Worker thread only.
#pragma once

#include <inventory/sqlite_statement.hpp>

namespace herald::inventory {

class Transaction {
 public:
  explicit Transaction(sqlite3* db) : db_(db) { Statement::exec(db, "BEGIN IMMEDIATE"); }
  ~Transaction() {
    if (done_) return;
    try {
      Statement::exec(db_, "ROLLBACK");
    } catch (...) {  // nothing to do: the connection rolls back when it can
    }
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  void commit() {
    Statement::exec(db_, "COMMIT");
    done_ = true;
  }

 private:
  sqlite3* db_;
  bool done_ = false;
};

}  // namespace herald::inventory
