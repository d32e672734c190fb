#pragma once
// The numbered PostgreSQL schema migrations (migrations/NNNN_name.sql, embedded
// at build time) and the code that applies them.

#include <functional>
#include <string>

namespace storage::pg {

class PgConnection;

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

/// Brings the database up to latest_schema_version(), each migration in its
/// own transaction with its record in schema_migrations, under a session
/// advisory lock so that nodes starting together migrate once. Throws
/// std::runtime_error if the database is newer than this build or a migration
/// fails (that migration leaves nothing behind). `target` names the database
/// (masked) in messages; `log` (may be empty) hears what happened.
void migrate(PgConnection& db, const std::string& target,
             const std::function<void(const std::string&)>& log = {});

}  // namespace storage::pg
