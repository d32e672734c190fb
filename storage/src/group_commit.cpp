#include "group_commit.hpp"

#include <algorithm>
#include <stdexcept>

#include <pthread.h>

namespace storage::detail {

namespace {

using Clock = std::chrono::steady_clock;

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

}  // namespace

void call_done(const Done& done, const std::exception_ptr& error) noexcept {
  if (!done) return;
  try {
    done(error);
  } catch (...) {  // A callback's failure is its owner's; the storage thread must go on.
  }
}

GroupCommitDatabase::GroupCommitDatabase(std::chrono::microseconds group_window,
                                         std::size_t max_group)
    : group_window_(group_window), max_group_(std::max<std::size_t>(1, max_group)) {}

GroupCommitDatabase::~GroupCommitDatabase() {
  stop();
}

void GroupCommitDatabase::start(std::unique_ptr<TxConnection> writer,
                                std::unique_ptr<TxConnection> reader,
                                std::function<void()> after_group) {
  writer_db_ = std::move(writer);
  reader_db_ = std::move(reader);
  after_group_ = std::move(after_group);
  // Named for top -H and the bench's CPU per thread.
  writer_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "db-writer");
    writer_loop();
  });
  try {
    reader_ = std::thread([this] {
      pthread_setname_np(pthread_self(), "db-reader");
      reader_loop();
    });
  } catch (...) {
    stop_lane(writes_, writer_);
    throw;
  }
}

void GroupCommitDatabase::stop() {
  // Writes first: their callbacks may still queue reads, which then run. A read
  // callback that queues a write after this gets "database is closed".
  stop_lane(writes_, writer_);
  stop_lane(reads_, reader_);
}

void GroupCommitDatabase::write(Work work, Done done) {
  enqueue(writes_, Item{std::move(work), std::move(done)});
}

void GroupCommitDatabase::read(Work work, Done done) {
  enqueue(reads_, Item{std::move(work), std::move(done)});
}

DatabaseStats GroupCommitDatabase::stats() const {
  std::lock_guard<std::mutex> lock(stats_mutex_);
  return stats_;
}

void GroupCommitDatabase::stop_lane(Lane& lane, std::thread& thread) {
  {
    std::lock_guard<std::mutex> lock(lane.mutex);
    lane.stopping = true;
    // A lane whose thread never started refuses work like a stopped one.
    if (!thread.joinable()) lane.closed = true;
  }
  lane.ready.notify_all();
  if (thread.joinable()) thread.join();
}

void GroupCommitDatabase::enqueue(Lane& lane, Item item) {
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

void GroupCommitDatabase::finish(Lane& lane, std::size_t items) {
  {
    std::lock_guard<std::mutex> lock(lane.mutex);
    lane.completed += items;
  }
  lane.progress.notify_all();
}

void GroupCommitDatabase::flush() {
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

void GroupCommitDatabase::writer_loop() {
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
    if (after_group_) {
      try {
        after_group_();
      } catch (...) {  // Housekeeping; the group's outcome is already told.
      }
    }
    finish(writes_, group.size());
    group.clear();
  }
  writes_.progress.notify_all();
}

void GroupCommitDatabase::run_group(std::vector<Item>& group) {
  TxConnection& db = *writer_db_;
  std::vector<std::exception_ptr> errors(group.size());
  std::exception_ptr group_error;
  const auto started = Clock::now();

  // A transaction left open by a ROLLBACK that itself failed (I/O error) would
  // fail every later BEGIN: end it, so one bad moment does not stop all writes.
  db.rollback_if_open();
  try {
    db.begin_write();
  } catch (...) {
    group_error = failure("cannot begin write transaction", std::current_exception());
  }
  for (std::size_t i = 0; !group_error && i < group.size(); ++i) {
    try {
      db.savepoint();
    } catch (...) {
      group_error = failure("cannot start savepoint", std::current_exception());
      break;
    }
    try {
      group[i].work(db.session());
      db.release();
    } catch (...) {
      errors[i] = std::current_exception();
      if (db.in_transaction()) {
        try {
          db.rollback_to();
        } catch (...) {
          group_error = failure("cannot roll back a failed work item", std::current_exception());
        }
      }
    }
    // On some errors (SQLite: FULL, IOERR, NOMEM...; PostgreSQL: a lost
    // connection) the backend ends the whole transaction itself: the earlier
    // items' work is gone too.
    if (!group_error && !db.in_transaction()) {
      group_error = failure(
          "write transaction rolled back by the database",
          errors[i]
              ? errors[i]
              : std::make_exception_ptr(std::runtime_error("transaction ended by a work item")));
    }
  }
  if (!group_error) {
    try {
      db.commit();
    } catch (...) {
      group_error = failure("commit failed", std::current_exception());
    }
  }
  if (group_error) db.rollback_if_open();
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

void GroupCommitDatabase::reader_loop() {
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

void GroupCommitDatabase::run_read(Item& item) {
  TxConnection& db = *reader_db_;
  std::exception_ptr error;
  try {
    // One snapshot for the whole work item: its queries agree with each other.
    db.begin_read();
    item.work(db.session());
    db.commit();
  } catch (...) {
    error = std::current_exception();
    db.rollback_if_open();
  }
  call_done(item.done, error);
}

}  // namespace storage::detail
