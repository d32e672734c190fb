#pragma once
// A thin owner of one SQLite connection, configured the way every store needs it.

#include <string>

struct sqlite3;

namespace storage {

/// One SQLite connection in WAL mode with foreign keys enforced. Not thread-safe:
/// each connection belongs to one thread (the writer thread, or one reader).
class SqliteDatabase {
 public:
  /// Opens (creating if needed) the database at `path`; throws std::runtime_error
  /// with SQLite's message on failure.
  explicit SqliteDatabase(const std::string& path);
  ~SqliteDatabase();
  SqliteDatabase(const SqliteDatabase&) = delete;
  SqliteDatabase& operator=(const SqliteDatabase&) = delete;

  /// Runs one or more statements without results; throws on error.
  void exec(const std::string& sql);
  sqlite3* handle() const { return db_; }

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace storage
