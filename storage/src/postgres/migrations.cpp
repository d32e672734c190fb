#include "postgres/migrations.hpp"

#include <stdexcept>
#include <vector>

#include "postgres/statement.hpp"

namespace storage::pg {

namespace {

// Kept outside the numbered migrations: it must exist before we can tell which
// of them have run.
constexpr const char* kCreateMigrationsTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)";

// The advisory lock key of migrating ("csms" + 1): one per database.
constexpr const char* kLock = "SELECT pg_advisory_lock(1668509037)";
constexpr const char* kUnlock = "SELECT pg_advisory_unlock(1668509037)";

int applied_version(PgConnection& db) {
  Statement st(db, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  st.step();
  return st.integer(0);
}

}  // namespace

int latest_schema_version() {
  return migrations_begin() == migrations_end() ? 0 : (migrations_end() - 1)->version;
}

void migrate(PgConnection& db, const std::string& target,
             const std::function<void(const std::string&)>& log) {
  auto tell = [&log](const std::string& line) {
    if (log) log(line);
  };
  // Session-level, so it spans the per-migration transactions; a second node
  // waits here, then finds nothing left to do.
  db.exec(kLock);
  try {
    db.exec(kCreateMigrationsTable);
    const int current = applied_version(db);
    if (current > latest_schema_version()) {
      throw std::runtime_error("database " + target + " has schema version " +
                               std::to_string(current) + ", newer than this build knows (" +
                               std::to_string(latest_schema_version()) +
                               "); refusing to open it: use a newer csms");
    }
    if (current == latest_schema_version()) {
      tell("database " + target + ": schema version " + std::to_string(current) + " is current");
    } else {
      tell("database " + target + ": schema version " + std::to_string(current) +
           ", migrating to " + std::to_string(latest_schema_version()));
    }
    for (const Migration* m = migrations_begin(); m != migrations_end(); ++m) {
      if (m->version <= current) continue;
      try {
        db.exec("BEGIN");
        db.exec(m->sql);
        Statement record(db,
                         "INSERT INTO schema_migrations (version, name, applied_at) "
                         "VALUES ($1, $2, $3)");
        record.bind_all(m->version, m->name, DateTime::now());
        record.run();
        db.exec("COMMIT");
      } catch (const std::exception& e) {
        if (db.in_transaction()) {
          try {
            db.exec("ROLLBACK");
          } catch (...) {  // The migration's error is the one worth reporting.
          }
        }
        throw std::runtime_error("migration " + std::string(m->name) + " failed: " + e.what());
      }
      // Told after its COMMIT: a migration is only reported once it has stuck.
      tell("database migration " + std::string(m->name) + " applied");
    }
  } catch (...) {
    try {
      db.exec(kUnlock);
    } catch (...) {
    }
    throw;
  }
  db.exec(kUnlock);
}

}  // namespace storage::pg
