#pragma once
// A thin owner of one SQLite connection, configured the way every store needs it.

#include <string>
#include <unordered_map>

struct sqlite3;
struct sqlite3_stmt;

namespace storage {

/// One SQLite connection in WAL mode with foreign keys enforced. Not thread-safe:
/// each connection belongs to one thread (the writer thread, or one reader).
class SqliteDatabase {
 public:
  /// Opens (creating if needed) the database at `path`; throws std::runtime_error
  /// with SQLite's message on failure. A statement that finds the database locked
  /// by another connection retries for `busy_timeout_ms`, then fails (SQLITE_BUSY).
  explicit SqliteDatabase(const std::string& path, int busy_timeout_ms = 2000);
  ~SqliteDatabase();
  SqliteDatabase(const SqliteDatabase&) = delete;
  SqliteDatabase& operator=(const SqliteDatabase&) = delete;

  /// Runs one or more statements without results; throws on error.
  void exec(const std::string& sql);

  /// Runs one statement without results through the statement cache: for the
  /// ones run on every write (BEGIN, SAVEPOINT...), which exec would re-parse.
  void run(const std::string& sql);

  /// The prepared statement for `sql`, compiled on first use and cached for the
  /// life of the connection (which finalizes it). Callers bind, step and then
  /// reset it. Throws std::runtime_error if `sql` does not compile.
  sqlite3_stmt* prepare(const std::string& sql);

  sqlite3* handle() const { return db_; }

 private:
  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, sqlite3_stmt*> statements_;
};

}  // namespace storage
