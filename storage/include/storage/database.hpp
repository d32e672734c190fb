#pragma once
// The asynchronous front of the storage layer. Callers (the network thread)
// hand over work and get a callback; no database call ever runs on their thread.

#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <string>

#include "storage/stores.hpp"

namespace storage {

/// Called when work has finished: `error` is null on success (for writes: the
/// work is durably committed), else the exception the work or the commit threw.
/// Runs on a storage thread: post back to your own executor before touching
/// your state.
using Done = std::function<void(std::exception_ptr error)>;

/// Counters for /metrics.
struct DatabaseStats {
  std::uint64_t commits = 0;        ///< Write transactions committed.
  std::uint64_t writes = 0;         ///< Write work items committed.
  std::uint64_t failed_writes = 0;  ///< Work items that threw or whose commit failed.
  double commit_seconds_total = 0;  ///< Sum of commit latencies (BEGIN..COMMIT).
  double last_commit_seconds = 0;
};

/// Storage with one writer thread (group commit) and a reader thread.
class Database {
 public:
  virtual ~Database() = default;

  /// Queues `work` for the writer thread. Work items that arrive within the
  /// group-commit window run in one database transaction, each inside its own
  /// savepoint: an item that throws is rolled back alone and its `done` gets the
  /// exception; the others commit. `done` (may be empty) runs after the COMMIT
  /// has returned, i.e. the data is durable.
  virtual void write(std::function<void(Session&)> work, Done done) = 0;

  /// Runs `work` on the reader thread (its own connection; sees committed data).
  virtual void read(std::function<void(Session&)> work, Done done) = 0;

  /// Blocks until every queued item has run and its `done` has been called.
  /// For shutdown and tests; never call from the network thread.
  virtual void flush() = 0;

  virtual DatabaseStats stats() const = 0;
};

/// Runs `work` through db.write / db.read and blocks until it is done, rethrowing
/// its error. For start-up and tools only: never call from the network thread.
void write_and_wait(Database& db, std::function<void(Session&)> work);
void read_and_wait(Database& db, std::function<void(Session&)> work);

/// Options for the SQLite backend.
struct SqliteOptions {
  std::string path;  ///< Database file; created with its directory's existing parent.
  /// How long a statement waits for a lock held by another connection (another
  /// process, a backup) before failing with "database is locked".
  std::chrono::milliseconds busy_timeout{2000};
  /// Largest size the writer lets the database file grow to, in bytes (0: no
  /// limit), applied as PRAGMA max_page_count after migrations. Writes that would
  /// grow it further fail with "database or disk is full", like a full disk; a
  /// database already larger is not shrunk, it only stops growing.
  std::int64_t max_bytes = 0;
  /// How long the writer waits for more work before committing a group.
  std::chrono::microseconds group_window{2000};
  std::size_t max_group = 512;  ///< Most work items in one transaction.
  /// Told what the migrations did at open (the schema version found, each
  /// migration applied), for the operator's log; may be empty.
  std::function<void(const std::string&)> log = nullptr;
};

/// Opens (creating and migrating as needed) a SQLite database and starts its
/// threads. Throws std::runtime_error naming the problem (unwritable path,
/// newer schema than this build knows...).
std::unique_ptr<Database> open_sqlite(const SqliteOptions& options);

/// The schema version the database at `path` has (0 if new). For tests/tools.
int sqlite_schema_version(const std::string& path);

/// Copies the database at `source` (which may be open and written by a running
/// server) into the new file `destination` with SQLite's online backup API: a
/// consistent snapshot, readable and writable by the owner only (0600). Blocks
/// (never call it from the network thread). Throws std::runtime_error naming the
/// problem; a failed copy leaves no `destination`.
void sqlite_backup(const std::string& source, const std::string& destination,
                   std::chrono::milliseconds busy_timeout = std::chrono::milliseconds(2000));

/// Options of the PostgreSQL backend.
struct PostgresOptions {
  /// A postgresql:// (or postgres://) URL, as libpq takes it. Never logged as
  /// is: messages show it masked (mask_database_url).
  std::string url;
  std::chrono::microseconds group_window{2000};  ///< As SqliteOptions.
  std::size_t max_group = 512;                   ///< As SqliteOptions.
  std::function<void(const std::string&)> log = nullptr;
};

/// Connects to PostgreSQL (a writer and a reader connection), migrates the
/// schema under an advisory lock and starts the threads. Throws
/// std::runtime_error naming the (masked) target and the problem.
std::unique_ptr<Database> open_postgres(const PostgresOptions& options);

/// The backend a database URL names.
enum class Backend { Sqlite, Postgres };

/// A parsed `database.url`: the backend and what it opens (a file path for
/// SQLite, the libpq URL for PostgreSQL).
struct DatabaseUrl {
  Backend backend = Backend::Sqlite;
  std::string target;
};

/// `postgresql://…` or `postgres://…`: PostgreSQL; `sqlite:PATH` or a plain
/// path (also C:\x or ./a:b, which have no URL scheme): SQLite. Any other
/// `scheme:` throws std::runtime_error naming the accepted schemes.
DatabaseUrl parse_database_url(const std::string& url);

/// The URL with any password replaced by "***": the only form of a database
/// URL that may appear in logs, errors or any output.
std::string mask_database_url(const std::string& url);

/// Options of open_database; the SQLite-only ones are refused with PostgreSQL.
struct DatabaseOptions {
  std::chrono::microseconds group_window{2000};
  std::size_t max_group = 512;
  std::function<void(const std::string&)> log = nullptr;
  std::chrono::milliseconds busy_timeout{2000};  ///< SQLite only (ignored otherwise).
  std::int64_t max_bytes = 0;                    ///< SQLite only: > 0 is an error with PostgreSQL.
};

/// Opens the database `url` names (parse_database_url) with its backend.
std::unique_ptr<Database> open_database(const std::string& url, const DatabaseOptions& options);

}  // namespace storage
