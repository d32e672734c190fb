// open_sqlite(): the Database over SQLite. One writer thread commits queued
// work in groups (one transaction, a savepoint per item); one reader thread
// runs reads on its own connection, beside the writer thanks to WAL; one
// checkpointer thread copies the WAL into the database file.

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "sqlite/migrations.hpp"
#include "sqlite/stores.hpp"
#include "storage/database.hpp"
#include "storage/sqlite_database.hpp"

namespace storage {

namespace {

using Work = std::function<void(Session&)>;
using Clock = std::chrono::steady_clock;

struct Item {
  Work work;
  Done done;
};

/// One storage thread's queue and its progress, which flush() waits on.
struct Lane {
  std::mutex mutex;
  std::condition_variable ready;     ///< Work arrived, a flush began, or stopping.
  std::condition_variable progress;  ///< `completed` advanced.
  std::deque<Item> queue;
  std::uint64_t submitted = 0;
  std::uint64_t completed = 0;  ///< Items whose done has returned.
  int flushing = 0;             ///< flush() calls waiting: skip the group window.
  bool stopping = false;        ///< Drain what is queued, then exit.
  bool closed = false;          ///< The thread has exited: new work is refused.
};

/// A connection and the stores over it; used by one thread only.
struct Connection {
  Connection(const std::string& path, std::chrono::milliseconds busy_timeout)
      : db(path, static_cast<int>(busy_timeout.count())), stores(db) {}
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

bool in_transaction(SqliteDatabase& db) {
  return sqlite3_get_autocommit(db.handle()) == 0;
}

void rollback_if_open(SqliteDatabase& db) noexcept {
  if (!in_transaction(db)) return;
  try {
    db.exec("ROLLBACK");
  } catch (...) {  // The error that led here is the one reported.
  }
}

std::string describe(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    return ex.what();
  } catch (...) {
    return "unknown exception";
  }
}

std::exception_ptr failure(const std::string& what, const std::exception_ptr& cause) {
  return std::make_exception_ptr(std::runtime_error("storage: " + what + ": " + describe(cause)));
}

void call_done(const Done& done, const std::exception_ptr& error) noexcept {
  if (!done) return;
  try {
    done(error);
  } catch (...) {  // A callback's failure is its owner's; the storage thread must go on.
  }
}

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

class SqliteBackend final : public Database {
 public:
  explicit SqliteBackend(const SqliteOptions& options);
  ~SqliteBackend() override;
  SqliteBackend(const SqliteBackend&) = delete;
  SqliteBackend& operator=(const SqliteBackend&) = delete;

  void write(Work work, Done done) override {
    enqueue(writes_, Item{std::move(work), std::move(done)});
  }
  void read(Work work, Done done) override {
    enqueue(reads_, Item{std::move(work), std::move(done)});
  }
  void flush() override;
  DatabaseStats stats() const override {
    std::lock_guard<std::mutex> lock(stats_mutex_);
    return stats_;
  }

 private:
  void enqueue(Lane& lane, Item item);
  void writer_loop();
  void reader_loop();
  void run_group(std::vector<Item>& group);
  void run_read(Item& item);
  static void finish(Lane& lane, std::size_t items);
  static void stop(Lane& lane, std::thread& thread);

  const std::chrono::microseconds group_window_;
  const std::size_t max_group_;
  std::unique_ptr<Connection> writer_db_;
  std::unique_ptr<Connection> reader_db_;
  std::unique_ptr<Checkpointer> checkpointer_;
  Lane writes_;
  Lane reads_;
  mutable std::mutex stats_mutex_;
  DatabaseStats stats_;
  std::thread writer_;
  std::thread reader_;
};

SqliteBackend::SqliteBackend(const SqliteOptions& options)
    : group_window_(options.group_window), max_group_(std::max<std::size_t>(1, options.max_group)) {
  if (options.path.empty() || options.path == ":memory:") {
    // Two connections to one in-memory database are two databases.
    throw std::runtime_error("open_sqlite needs a database file path, got '" + options.path + "'");
  }
  prepare_directory(options.path);
  writer_db_ = std::make_unique<Connection>(options.path, options.busy_timeout);
  sqlite::migrate(writer_db_->db, options.path, options.log);
  // Measured under load (bench/): the default 2 MiB cache made the writer
  // re-read hot index pages from the WAL. Checkpoints are the checkpointer's
  // job; the writer's own (which blocks commits) is only a backstop for when
  // it cannot keep up, at ~200 MiB of WAL instead of the default ~4 MiB.
  writer_db_->db.exec(
      "PRAGMA cache_size=-65536; PRAGMA wal_autocheckpoint=50000; "
      "PRAGMA journal_size_limit=67108864");
  // After the migrations: an upgrade must not be blocked by the cap it runs under.
  if (options.max_bytes > 0) apply_size_cap(writer_db_->db, options.max_bytes);
  reader_db_ = std::make_unique<Connection>(options.path, options.busy_timeout);
  // Work given to read() that tries to write fails instead of bypassing the
  // writer (and its group commit and ordering).
  reader_db_->db.exec("PRAGMA query_only=ON");
  checkpointer_ = std::make_unique<Checkpointer>(options.path, options.busy_timeout);
  writer_ = std::thread([this] { writer_loop(); });
  try {
    reader_ = std::thread([this] { reader_loop(); });
  } catch (...) {
    stop(writes_, writer_);
    throw;
  }
}

SqliteBackend::~SqliteBackend() {
  // Writes first: their callbacks may still queue reads, which then run. A read
  // callback that queues a write after this gets "database is closed".
  stop(writes_, writer_);
  stop(reads_, reader_);
  checkpointer_.reset();
}

void SqliteBackend::stop(Lane& lane, std::thread& thread) {
  {
    std::lock_guard<std::mutex> lock(lane.mutex);
    lane.stopping = true;
  }
  lane.ready.notify_all();
  if (thread.joinable()) thread.join();
}

void SqliteBackend::enqueue(Lane& lane, Item item) {
  std::unique_lock<std::mutex> lock(lane.mutex);
  if (lane.closed) {
    lock.unlock();
    call_done(item.done,
              std::make_exception_ptr(std::runtime_error("storage: database is closed")));
    return;
  }
  lane.queue.push_back(std::move(item));
  ++lane.submitted;
  const std::size_t size = lane.queue.size();
  lock.unlock();
  // The thread only sleeps on an empty queue, or in the group window until the
  // group is full; other arrivals need not wake it.
  if (size == 1 || size >= max_group_) lane.ready.notify_one();
}

void SqliteBackend::finish(Lane& lane, std::size_t items) {
  {
    std::lock_guard<std::mutex> lock(lane.mutex);
    lane.completed += items;
  }
  lane.progress.notify_all();
}

void SqliteBackend::flush() {
  const auto self = std::this_thread::get_id();
  if (self == writer_.get_id() || self == reader_.get_id()) {
    throw std::logic_error("storage: flush() called on a storage thread would wait for itself");
  }
  // Everything queued before this call, on both lanes, is what we wait for;
  // work queued meanwhile by others does not keep us waiting forever.
  std::uint64_t write_target = 0;
  std::uint64_t read_target = 0;
  {
    std::lock_guard<std::mutex> lock(writes_.mutex);
    write_target = writes_.submitted;
    ++writes_.flushing;
  }
  writes_.ready.notify_all();
  {
    std::lock_guard<std::mutex> lock(reads_.mutex);
    read_target = reads_.submitted;
  }
  {
    std::unique_lock<std::mutex> lock(writes_.mutex);
    writes_.progress.wait(lock, [&] { return writes_.completed >= write_target; });
    --writes_.flushing;
  }
  std::unique_lock<std::mutex> lock(reads_.mutex);
  reads_.progress.wait(lock, [&] { return reads_.completed >= read_target; });
}

void SqliteBackend::writer_loop() {
  std::vector<Item> group;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(writes_.mutex);
      writes_.ready.wait(lock, [&] { return writes_.stopping || !writes_.queue.empty(); });
      if (writes_.queue.empty()) {
        writes_.closed = true;  // Stopping, and nothing left.
        break;
      }
      // Group commit: one fsync for everything that arrives within the window.
      if (group_window_.count() > 0 && writes_.queue.size() < max_group_) {
        writes_.ready.wait_until(lock, Clock::now() + group_window_, [&] {
          return writes_.stopping || writes_.flushing > 0 || writes_.queue.size() >= max_group_;
        });
      }
      const std::size_t n = std::min(writes_.queue.size(), max_group_);
      for (std::size_t i = 0; i < n; ++i) {
        group.push_back(std::move(writes_.queue.front()));
        writes_.queue.pop_front();
      }
    }
    run_group(group);
    if (checkpointer_->take_restart_due())
      sqlite3_wal_checkpoint_v2(writer_db_->db.handle(), nullptr, SQLITE_CHECKPOINT_RESTART,
                                nullptr, nullptr);
    finish(writes_, group.size());
    group.clear();
  }
  writes_.progress.notify_all();
}

void SqliteBackend::run_group(std::vector<Item>& group) {
  SqliteDatabase& db = writer_db_->db;
  Session& session = writer_db_->stores.session();
  std::vector<std::exception_ptr> errors(group.size());
  std::exception_ptr group_error;
  const auto started = Clock::now();

  // A transaction left open by a ROLLBACK that itself failed (I/O error) would
  // fail every later BEGIN: end it, so one bad moment does not stop all writes.
  rollback_if_open(db);
  // IMMEDIATE takes the write lock now, so a lock held by another process
  // fails here (after busy_timeout) rather than halfway through the group.
  try {
    db.run("BEGIN IMMEDIATE");
  } catch (...) {
    group_error = failure("cannot begin write transaction", std::current_exception());
  }
  for (std::size_t i = 0; !group_error && i < group.size(); ++i) {
    try {
      db.run("SAVEPOINT item");
    } catch (...) {
      group_error = failure("cannot start savepoint", std::current_exception());
      break;
    }
    try {
      group[i].work(session);
      db.run("RELEASE item");
    } catch (...) {
      errors[i] = std::current_exception();
      if (in_transaction(db)) {
        try {
          db.exec("ROLLBACK TO item; RELEASE item");
        } catch (...) {
          group_error = failure("cannot roll back a failed work item", std::current_exception());
        }
      }
    }
    // On some errors (SQLITE_FULL, SQLITE_IOERR, SQLITE_NOMEM...) SQLite ends
    // the whole transaction itself: the earlier items' work is gone too.
    if (!group_error && !in_transaction(db)) {
      group_error = failure(
          "write transaction rolled back by SQLite",
          errors[i]
              ? errors[i]
              : std::make_exception_ptr(std::runtime_error("transaction ended by a work item")));
    }
  }
  if (!group_error) {
    try {
      db.run("COMMIT");
    } catch (...) {
      group_error = failure("commit failed", std::current_exception());
    }
  }
  if (group_error) rollback_if_open(db);
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();

  {
    std::lock_guard<std::mutex> lock(stats_mutex_);
    if (group_error) {
      stats_.failed_writes += group.size();
    } else {
      const auto failed = static_cast<std::uint64_t>(
          std::count_if(errors.begin(), errors.end(), [](const auto& e) { return e != nullptr; }));
      ++stats_.commits;
      stats_.writes += group.size() - failed;
      stats_.failed_writes += failed;
      stats_.commit_seconds_total += seconds;
      stats_.last_commit_seconds = seconds;
    }
  }
  // Only now, after COMMIT returned (or failed), do callers hear about it.
  for (std::size_t i = 0; i < group.size(); ++i) {
    call_done(group[i].done, errors[i] ? errors[i] : group_error);
  }
}

void SqliteBackend::reader_loop() {
  for (;;) {
    Item item;
    {
      std::unique_lock<std::mutex> lock(reads_.mutex);
      reads_.ready.wait(lock, [&] { return reads_.stopping || !reads_.queue.empty(); });
      if (reads_.queue.empty()) {
        reads_.closed = true;
        break;
      }
      item = std::move(reads_.queue.front());
      reads_.queue.pop_front();
    }
    run_read(item);
    finish(reads_, 1);
  }
  reads_.progress.notify_all();
}

void SqliteBackend::run_read(Item& item) {
  SqliteDatabase& db = reader_db_->db;
  std::exception_ptr error;
  try {
    // One snapshot for the whole work item: its queries agree with each other.
    db.exec("BEGIN");
    item.work(reader_db_->stores.session());
    db.run("COMMIT");
  } catch (...) {
    error = std::current_exception();
    rollback_if_open(db);
  }
  call_done(item.done, error);
}

}  // namespace

std::unique_ptr<Database> open_sqlite(const SqliteOptions& options) {
  return std::make_unique<SqliteBackend>(options);
}

}  // namespace storage
