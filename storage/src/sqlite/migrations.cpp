#include "sqlite/migrations.hpp"

#include <sqlite3.h>

#include <filesystem>
#include <memory>
#include <stdexcept>
#include <vector>

#include "sqlite/error.hpp"
#include "sqlite/statement.hpp"
#include "storage/database.hpp"
#include "storage/sqlite_database.hpp"

namespace storage::sqlite {

namespace {

// Kept outside the numbered migrations: it must exist before we can tell which
// of them have run.
constexpr const char* kCreateMigrationsTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)";

int applied_version(SqliteDatabase& db) {
  Statement st(db, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  st.step();
  return st.integer(0);
}

}  // namespace

int latest_schema_version() {
  return migrations_begin() == migrations_end() ? 0 : (migrations_end() - 1)->version;
}

void migrate(SqliteDatabase& db, const std::string& path,
             const std::function<void(const std::string&)>& log) {
  auto tell = [&log](const std::string& line) {
    if (log) log(line);
  };
  std::vector<std::string> applied;
  // IMMEDIATE: two processes opening a new database at once must not both
  // migrate; the second waits, then finds nothing left to do.
  db.exec("BEGIN IMMEDIATE");
  try {
    db.exec(kCreateMigrationsTable);
    int current = applied_version(db);
    if (current > latest_schema_version()) {
      throw std::runtime_error("database " + path + " has schema version " +
                               std::to_string(current) + ", newer than this build knows (" +
                               std::to_string(latest_schema_version()) +
                               "); refusing to open it: use a newer csms");
    }
    if (current == latest_schema_version()) {
      tell("database " + path + ": schema version " + std::to_string(current) + " is current");
    } else {
      tell("database " + path + ": schema version " + std::to_string(current) + ", migrating to " +
           std::to_string(latest_schema_version()));
    }
    for (const Migration* m = migrations_begin(); m != migrations_end(); ++m) {
      if (m->version <= current) continue;
      try {
        db.exec(m->sql);
      } catch (const std::exception& e) {
        throw std::runtime_error("migration " + std::string(m->name) + " failed: " + e.what());
      }
      Statement record(db,
                       "INSERT INTO schema_migrations (version, name, applied_at) "
                       "VALUES (?, ?, ?)");
      record.bind_all(m->version, m->name, DateTime::now());
      record.run();
      applied.emplace_back(m->name);
    }
    db.exec("COMMIT");
    // Told after the COMMIT: a migration is only reported once it has stuck.
    for (const auto& name : applied) tell("database migration " + name + " applied");
  } catch (...) {
    if (sqlite3_get_autocommit(db.handle()) == 0) {
      try {
        db.exec("ROLLBACK");
      } catch (...) {  // The original error is the one worth reporting.
      }
    }
    throw;
  }
}

}  // namespace storage::sqlite

namespace storage {

int sqlite_schema_version(const std::string& path) {
  // A tool asking about a path must not create a database there.
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return 0;
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr);
  struct Closer {
    sqlite3* db;
    ~Closer() { sqlite3_close(db); }
  } closer{db};
  if (rc != SQLITE_OK) sqlite::throw_sqlite_error(db, rc, "opening " + path);
  sqlite3_busy_timeout(db, 2000);
  auto query_int = [&](const char* sql) {
    sqlite3_stmt* raw = nullptr;
    int prc = sqlite3_prepare_v2(db, sql, -1, &raw, nullptr);
    if (prc != SQLITE_OK) sqlite::throw_sqlite_error(db, prc, sql);
    std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> stmt(raw, sqlite3_finalize);
    int src = sqlite3_step(stmt.get());
    if (src == SQLITE_ROW) return sqlite3_column_int(stmt.get(), 0);
    if (src == SQLITE_DONE) return 0;
    sqlite::throw_sqlite_error(db, src, sql);
  };
  if (query_int("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND "
                "name = 'schema_migrations'") == 0) {
    return 0;
  }
  return query_int("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
}

}  // namespace storage
