#pragma once
// Shared by the storage tests: a temporary directory, blocking wrappers around
// the asynchronous Database (every wait bounded), a raw second connection, and
// sample rows.

#include <sqlite3.h>
#include <stdlib.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <future>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

#include "storage/database.hpp"
#include "support/temp_dir.hpp"

namespace storage_test {

using storage::DateTime;
using storage::Session;

/// How long any test waits for a callback before failing, instead of hanging.
/// Generous: it only bounds a broken test; passing ones never come close.
constexpr std::chrono::seconds kTimeout{30};

using test_support::TempDir;

/// One done callback's result. Shared state: a callback that comes late (after
/// a failed wait) never writes into a dead stack frame.
class Outcome {
 public:
  Outcome() : state_(std::make_shared<std::promise<std::exception_ptr>>()) {
    future_ = state_->get_future();
  }
  storage::Done callback() const {
    auto state = state_;
    return [state](std::exception_ptr error) { state->set_value(error); };
  }
  /// Waits (bounded) for the callback; returns its error, null on success.
  std::exception_ptr wait() {
    REQUIRE(future_.wait_for(kTimeout) == std::future_status::ready);
    return future_.get();
  }

 private:
  std::shared_ptr<std::promise<std::exception_ptr>> state_;
  std::future<std::exception_ptr> future_;
};

/// What `e` says, for checking error messages.
inline std::string message_of(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    return ex.what();
  } catch (...) {
    return "non-standard exception";
  }
}

namespace detail {

template <class F>
auto run(storage::Database& db, bool write, F f) {
  using R = std::invoke_result_t<F&, Session&>;
  Outcome outcome;
  if constexpr (std::is_void_v<R>) {
    auto work = [f](Session& s) mutable { f(s); };
    write ? db.write(work, outcome.callback()) : db.read(work, outcome.callback());
    if (auto error = outcome.wait()) std::rethrow_exception(error);
  } else {
    auto result = std::make_shared<std::optional<R>>();
    auto work = [f, result](Session& s) mutable { result->emplace(f(s)); };
    write ? db.write(work, outcome.callback()) : db.read(work, outcome.callback());
    if (auto error = outcome.wait()) std::rethrow_exception(error);
    return std::move(**result);
  }
}

}  // namespace detail

/// Runs `f` as a write and waits for its commit; rethrows its error. Returns
/// what `f` returns.
template <class F>
auto write_sync(storage::Database& db, F f) {
  return detail::run(db, true, std::move(f));
}

/// Runs `f` on the reader and waits; rethrows its error.
template <class F>
auto read_sync(storage::Database& db, F f) {
  return detail::run(db, false, std::move(f));
}

/// Opens with defaults suitable for tests (a short busy timeout where it matters
/// is set by the test itself).
inline std::unique_ptr<storage::Database> open(const std::string& path) {
  storage::SqliteOptions options;
  options.path = path;
  return storage::open_sqlite(options);
}

/// A separate raw connection to the same file: what another process sees.
class RawConnection {
 public:
  explicit RawConnection(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
      std::string msg = sqlite3_errmsg(db_);
      sqlite3_close(db_);
      throw std::runtime_error("raw open failed: " + msg);
    }
    sqlite3_busy_timeout(db_, 5000);
  }
  ~RawConnection() { sqlite3_close(db_); }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  void exec(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err != nullptr ? err : "?";
      sqlite3_free(err);
      throw std::runtime_error("raw exec failed: " + msg + " in " + sql);
    }
  }
  /// The first column of the first row as an integer (0 when there is no row).
  std::int64_t integer(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      throw std::runtime_error(std::string("raw prepare failed: ") + sqlite3_errmsg(db_));
    }
    int rc = sqlite3_step(stmt);
    std::int64_t v = rc == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : 0;
    sqlite3_finalize(stmt);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
      throw std::runtime_error(std::string("raw step failed: ") + sqlite3_errmsg(db_));
    }
    return v;
  }
  /// The first column of the first row as text (empty when there is no row).
  std::string text(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      throw std::runtime_error(std::string("raw prepare failed: ") + sqlite3_errmsg(db_));
    }
    std::string v;
    if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0) != nullptr) {
      v = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    }
    sqlite3_finalize(stmt);
    return v;
  }

 private:
  sqlite3* db_ = nullptr;
};

/// A fixed instant plus `seconds`, so tests never depend on the clock.
inline DateTime at(std::int64_t seconds) {
  return DateTime::from_unix_micros(1'700'000'000'000'000 + seconds * 1'000'000);
}

inline storage::Station station(const std::string& id) {
  storage::Station s;
  s.id = id;
  s.vendor = "Vendor";
  s.model = "Model";
  s.created_at = at(0);
  return s;
}

inline storage::Transaction transaction(const std::string& station_id, int connector,
                                        const std::string& id_tag, std::int64_t start_s) {
  storage::Transaction t;
  t.station_id = station_id;
  t.connector_id = connector;
  t.id_tag = id_tag;
  t.start_time = at(start_s);
  t.meter_start = 1000;
  return t;
}

inline storage::MeterSample sample(const std::string& station_id, std::int64_t ts_s,
                                   const std::string& value,
                                   std::optional<std::int64_t> transaction_id = std::nullopt) {
  storage::MeterSample m;
  m.station_id = station_id;
  m.connector_id = 1;
  m.transaction_id = transaction_id;
  m.timestamp = at(ts_s);
  m.value = value;
  return m;
}

/// Holds the writer thread inside a work item until released, so everything
/// queued meanwhile lands in the next group.
class WriterBlocker {
 public:
  explicit WriterBlocker(storage::Database& db) {
    auto started = std::make_shared<std::promise<void>>();
    auto started_future = started->get_future();
    auto release = release_.get_future().share();
    db.write(
        [started, release](Session&) {
          started->set_value();
          release.wait_for(kTimeout);
        },
        done_.callback());
    REQUIRE(started_future.wait_for(kTimeout) == std::future_status::ready);
  }
  /// Lets the writer go on; returns the blocking item's own result.
  std::exception_ptr release() {
    release_.set_value();
    return done_.wait();
  }

 private:
  std::promise<void> release_;
  Outcome done_;
};

}  // namespace storage_test
