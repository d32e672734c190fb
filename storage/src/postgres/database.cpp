// open_postgres(): the Database over PostgreSQL, on the same group-commit loop
// as SQLite (group_commit.hpp): BEGIN, SAVEPOINT item ... RELEASE item per work
// item, COMMIT; an error inside an item aborts only to its savepoint.

#include <memory>
#include <stdexcept>

#include "group_commit.hpp"
#include "postgres/migrations.hpp"
#include "postgres/statement.hpp"
#include "postgres/stores.hpp"
#include "storage/database.hpp"

namespace storage {

namespace {

/// A PostgreSQL connection and the stores over it; used by one thread only.
class PgTxConnection final : public detail::TxConnection {
 public:
  explicit PgTxConnection(const std::string& url) : db(url), stores(db) {}
  void begin_write() override {
    // After a server restart the first group fails (its connection is gone);
    // the next one reconnects here rather than failing forever.
    db.reconnect_if_broken();
    run("BEGIN");
  }
  void begin_read() override {
    db.reconnect_if_broken();
    // One snapshot for the item, and a read item that tries to write fails
    // instead of bypassing the writer (SQLite's query_only).
    run("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  }
  void savepoint() override { run("SAVEPOINT item"); }
  void release() override { run("RELEASE SAVEPOINT item"); }
  // Simple protocol: the transaction may be in the failed state, where only
  // a rollback is accepted.
  void rollback_to() override { db.exec("ROLLBACK TO SAVEPOINT item; RELEASE SAVEPOINT item"); }
  void commit() override { run("COMMIT"); }
  bool in_transaction() override { return db.in_transaction(); }
  void rollback_if_open() noexcept override {
    if (!in_transaction()) return;
    try {
      db.exec("ROLLBACK");
    } catch (...) {  // The error that led here is the one reported.
    }
  }
  Session& session() override { return stores.session(); }

  pg::PgConnection db;
  pg::PgStores stores;

 private:
  // Not through Statement, which wraps statements in a savepoint of its own.
  void run(const std::string& sql) { db.exec(sql); }
};

class PgBackend final : public detail::GroupCommitDatabase {
 public:
  explicit PgBackend(const PostgresOptions& options)
      : GroupCommitDatabase(options.group_window, options.max_group) {
    const std::string target = pg::mask_url(options.url);
    auto writer = std::make_unique<PgTxConnection>(options.url);
    pg::migrate(writer->db, target, options.log);
    auto reader = std::make_unique<PgTxConnection>(options.url);
    start(std::move(writer), std::move(reader));
  }
  ~PgBackend() override { stop(); }
  PgBackend(const PgBackend&) = delete;
  PgBackend& operator=(const PgBackend&) = delete;
};

}  // namespace

std::unique_ptr<Database> open_postgres(const PostgresOptions& options) {
  return std::make_unique<PgBackend>(options);
}

}  // namespace storage
