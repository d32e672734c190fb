// open_sqlite(): the Database over SQLite. One writer thread commits queued
// work in groups (one transaction, a savepoint per item); one reader thread
// runs reads on its own connection, beside the writer thanks to WAL; one
// checkpointer thread copies the WAL into the database file.

#include <pthread.h>
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "group_commit.hpp"
#include "sqlite/migrations.hpp"
#include "sqlite/stores.hpp"
#include "storage/database.hpp"
#include "storage/sqlite_database.hpp"

namespace storage {

namespace {

/// A SQLite connection and the stores over it, as the group-commit loop uses
/// it; used by one thread only.
class SqliteConnection final : public detail::TxConnection {
 public:
  SqliteConnection(const std::string& path, std::chrono::milliseconds busy_timeout)
      : db(path, static_cast<int>(busy_timeout.count())), stores(db) {}
  // IMMEDIATE takes the write lock now, so a lock held by another process
  // fails here (after busy_timeout) rather than halfway through the group.
  void begin_write() override { db.run("BEGIN IMMEDIATE"); }
  void begin_read() override { db.exec("BEGIN"); }
  void savepoint() override { db.run("SAVEPOINT item"); }
  void release() override { db.run("RELEASE item"); }
  void rollback_to() override { db.exec("ROLLBACK TO item; RELEASE item"); }
  void commit() override { db.run("COMMIT"); }
  bool in_transaction() override { return sqlite3_get_autocommit(db.handle()) == 0; }
  void rollback_if_open() noexcept override {
    if (!in_transaction()) return;
    try {
      db.exec("ROLLBACK");
    } catch (...) {  // The error that led here is the one reported.
    }
  }
  Session& session() override { return stores.session(); }

  SqliteDatabase db;
  sqlite::SqliteStores stores;
};

/// Copies committed WAL frames into the database file on its own thread and
/// connection, with PASSIVE checkpoints (they never wait for, nor block, the
/// writer or readers). A checkpoint run by the writer itself after a commit
/// stalled every station waiting on the next group for as long as it took to
/// copy and fsync (tens of ms: the meter-value p99 under load).
class Checkpointer {
 public:
  Checkpointer(const std::string& path, std::chrono::milliseconds busy_timeout)
      : db_(path, static_cast<int>(busy_timeout.count())), thread_([this] { loop(); }) {}
  ~Checkpointer() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  /// True once after the WAL grew past kRestartFrames: the writer's cue.
  bool take_restart_due() { return restart_due_.exchange(false); }

 private:
  static constexpr auto kPeriod = std::chrono::milliseconds(100);
  static constexpr int kRestartFrames = 10000;  // ~40 MiB of WAL

  void loop() {
    pthread_setname_np(pthread_self(), "db-checkpoint");
    std::unique_lock<std::mutex> lock(mutex_);
    while (!wake_.wait_for(lock, kPeriod, [this] { return stopping_; })) {
      lock.unlock();
      // SQLITE_BUSY (another checkpoint is running) just means: next time.
      int frames = 0;
      int copied = 0;
      int rc = sqlite3_wal_checkpoint_v2(db_.handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &frames,
                                         &copied);
      // Under a steady stream of commits the WAL is never found fully copied,
      // so it never rewinds and keeps growing. Once it is large, the writer
      // runs a RESTART between two groups (it copies the few frames left and
      // makes the next commit start the WAL over); from here it would starve.
      if (rc == SQLITE_OK && frames > kRestartFrames) restart_due_ = true;
      lock.lock();
    }
  }

  SqliteDatabase db_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::atomic<bool> restart_due_{false};
  std::thread thread_;  // last: starts once the rest is ready
};

/// Creates the database's directory if only it is missing (not a whole tree:
/// a typo in the path should fail, not grow directories).
void prepare_directory(const std::string& path) {
  namespace fs = std::filesystem;
  fs::path dir = fs::path(path).parent_path();
  std::error_code ec;
  if (dir.empty() || fs::is_directory(dir, ec)) return;
  if (!fs::is_directory(dir.parent_path().empty() ? fs::path(".") : dir.parent_path(), ec)) {
    throw std::runtime_error("cannot create database " + path + ": directory " +
                             dir.parent_path().string() + " does not exist");
  }
  if (!fs::create_directory(dir, ec) && !fs::is_directory(dir)) {
    throw std::runtime_error("cannot create database directory " + dir.string() + ": " +
                             ec.message());
  }
}

std::int64_t query_integer(SqliteDatabase& db, const std::string& sql) {
  sqlite3_stmt* stmt = db.prepare(sql);
  std::int64_t value = 0;
  const int rc = sqlite3_step(stmt);
  if (rc == SQLITE_ROW) value = sqlite3_column_int64(stmt, 0);
  sqlite3_reset(stmt);
  if (rc != SQLITE_ROW) throw std::runtime_error("storage: no result from " + sql);
  return value;
}

/// Caps the database at `max_bytes` through max_page_count, a per-connection
/// setting: only the writer's connection grows the file. SQLite never sets it
/// below the current page count, so a database already over the cap keeps its
/// size and every write that needs a new page fails with SQLITE_FULL.
void apply_size_cap(SqliteDatabase& db, std::int64_t max_bytes) {
  const std::int64_t page_size = query_integer(db, "PRAGMA page_size");
  const std::int64_t pages =
      std::max<std::int64_t>(1, max_bytes / std::max<std::int64_t>(1, page_size));
  db.exec("PRAGMA max_page_count=" + std::to_string(pages));
}

class SqliteBackend final : public detail::GroupCommitDatabase {
 public:
  explicit SqliteBackend(const SqliteOptions& options);
  ~SqliteBackend() override;
  SqliteBackend(const SqliteBackend&) = delete;
  SqliteBackend& operator=(const SqliteBackend&) = delete;

 private:
  std::unique_ptr<Checkpointer> checkpointer_;
  SqliteDatabase* writer_handle_ = nullptr;
};

SqliteBackend::SqliteBackend(const SqliteOptions& options)
    : GroupCommitDatabase(options.group_window, options.max_group) {
  if (options.path.empty() || options.path == ":memory:") {
    // Two connections to one in-memory database are two databases.
    throw std::runtime_error("open_sqlite needs a database file path, got '" + options.path + "'");
  }
  prepare_directory(options.path);
  auto writer = std::make_unique<SqliteConnection>(options.path, options.busy_timeout);
  sqlite::migrate(writer->db, options.path, options.log);
  // Measured under load (bench/): the default 2 MiB cache made the writer
  // re-read hot index pages from the WAL. Checkpoints are the checkpointer's
  // job; the writer's own (which blocks commits) is only a backstop for when
  // it cannot keep up, at ~200 MiB of WAL instead of the default ~4 MiB.
  writer->db.exec(
      "PRAGMA cache_size=-65536; PRAGMA wal_autocheckpoint=50000; "
      "PRAGMA journal_size_limit=67108864");
  // After the migrations: an upgrade must not be blocked by the cap it runs under.
  if (options.max_bytes > 0) apply_size_cap(writer->db, options.max_bytes);
  auto reader = std::make_unique<SqliteConnection>(options.path, options.busy_timeout);
  // Work given to read() that tries to write fails instead of bypassing the
  // writer (and its group commit and ordering).
  reader->db.exec("PRAGMA query_only=ON");
  checkpointer_ = std::make_unique<Checkpointer>(options.path, options.busy_timeout);
  writer_handle_ = &writer->db;
  // Between two groups: a RESTART checkpoint when the WAL grew too long.
  start(std::move(writer), std::move(reader), [this] {
    if (checkpointer_->take_restart_due())
      sqlite3_wal_checkpoint_v2(writer_handle_->handle(), nullptr, SQLITE_CHECKPOINT_RESTART,
                                nullptr, nullptr);
  });
}

SqliteBackend::~SqliteBackend() {
  // The threads use the checkpointer: they go first.
  stop();
  checkpointer_.reset();
}

}  // namespace

std::unique_ptr<Database> open_sqlite(const SqliteOptions& options) {
  return std::make_unique<SqliteBackend>(options);
}

}  // namespace storage
