#pragma once
// The backend-neutral Database: one writer thread that commits queued work in
// groups (one transaction, a savepoint per item) and one reader thread. Each
// backend supplies its connections through TxConnection.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "storage/database.hpp"

namespace storage::detail {

/// What the group-commit loop needs of one backend connection and the stores
/// over it. Used by one storage thread only.
class TxConnection {
 public:
  virtual ~TxConnection() = default;
  /// Starts the write transaction of a group (SQLite: BEGIN IMMEDIATE).
  virtual void begin_write() = 0;
  /// Starts a read-only transaction: one snapshot for a whole read item.
  virtual void begin_read() = 0;
  virtual void savepoint() = 0;    ///< SAVEPOINT item
  virtual void release() = 0;      ///< RELEASE item
  virtual void rollback_to() = 0;  ///< ROLLBACK TO item, then RELEASE item
  virtual void commit() = 0;       ///< COMMIT
  /// Rolls back a transaction left open; never throws (the error that led
  /// here is the one reported).
  virtual void rollback_if_open() noexcept = 0;
  /// True while a transaction is open (also a failed one awaiting ROLLBACK).
  virtual bool in_transaction() = 0;
  virtual Session& session() = 0;
};

/// Calls `done` with `error`, swallowing what the callback throws: its failure
/// is its owner's, and the storage thread must go on.
void call_done(const Done& done, const std::exception_ptr& error) noexcept;

/// A Database over a writer and a reader connection. A backend constructs it,
/// then calls start(); its own destructor calls stop() before tearing down
/// anything the threads use (e.g. SQLite's checkpointer).
class GroupCommitDatabase : public Database {
 public:
  using Work = std::function<void(Session&)>;

  GroupCommitDatabase(std::chrono::microseconds group_window, std::size_t max_group);
  ~GroupCommitDatabase() override;
  GroupCommitDatabase(const GroupCommitDatabase&) = delete;
  GroupCommitDatabase& operator=(const GroupCommitDatabase&) = delete;

  void write(Work work, Done done) override;
  void read(Work work, Done done) override;
  void flush() override;
  DatabaseStats stats() const override;

 protected:
  /// Starts the threads over the given connections (owned from now on).
  /// `after_group` (may be empty) runs on the writer thread after each group,
  /// before its items count as completed.
  void start(std::unique_ptr<TxConnection> writer, std::unique_ptr<TxConnection> reader,
             std::function<void()> after_group = {});
  /// Drains and joins both threads (writes first: their callbacks may queue
  /// reads). Idempotent.
  void stop();

 private:
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

  void enqueue(Lane& lane, Item item);
  void writer_loop();
  void reader_loop();
  void run_group(std::vector<Item>& group);
  void run_read(Item& item);
  static void finish(Lane& lane, std::size_t items);
  static void stop_lane(Lane& lane, std::thread& thread);

  const std::chrono::microseconds group_window_;
  const std::size_t max_group_;
  std::unique_ptr<TxConnection> writer_db_;
  std::unique_ptr<TxConnection> reader_db_;
  std::function<void()> after_group_;
  Lane writes_;
  Lane reads_;
  mutable std::mutex stats_mutex_;
  DatabaseStats stats_;
  std::thread writer_;
  std::thread reader_;
};

}  // namespace storage::detail
