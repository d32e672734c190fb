#pragma once
// The numbered schema migrations (migrations/NNNN_name.sql, embedded at build
// time) and the code that applies them.

#include <cstddef>
#include <functional>
#include <string>

namespace storage {
class SqliteDatabase;
}

namespace storage::sqlite {

struct Migration {
  int version;       ///< NNNN of the file name: 1, 2, ... without gaps.
  const char* name;  ///< The file name, recorded in schema_migrations.
  const char* sql;
};

/// Every migration this build knows, in order (generated from the .sql files).
const Migration* migrations_begin();
const Migration* migrations_end();

/// The newest schema version this build knows.
int latest_schema_version();

/// Brings the database up to latest_schema_version() in one transaction,
/// recording each applied migration. Throws std::runtime_error if the database
/// is newer than this build, or if a migration fails (nothing is applied then).
/// `log` (may be empty) hears the version found and each migration applied.
void migrate(SqliteDatabase& db, const std::string& path,
             const std::function<void(const std::string&)>& log = {});

}  // namespace storage::sqlite
