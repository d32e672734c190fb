#pragma once
// Shared by the storage tests: a temporary directory, blocking wrappers around
// the asynchronous Database (every wait bounded), a raw second connection, and
// sample rows.

#include <sqlite3.h>
#include <stdlib.h>
#include <unistd.h>

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

#include <atomic>
#include <fstream>
#include <map>
#include <mutex>
#include <vector>

#include "postgres/statement.hpp"
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

/// The PostgreSQL side of the tests: when CSMS_TEST_PG_URL_FILE names a file
/// (written by tests/pg/cluster.sh, the ctest fixture), open() gives each test
/// its own database, created from a migrated template and dropped at exit.
namespace pg {

/// The server's URL, or "" when the tests run on SQLite. A set variable whose
/// file cannot be read fails the test: the backend must not be skipped quietly.
inline std::string server_url() {
  const char* file = std::getenv("CSMS_TEST_PG_URL_FILE");
  if (file == nullptr || *file == '\0') return {};
  std::ifstream in(file);
  std::string url;
  if (!in || !std::getline(in, url) || url.empty()) {
    throw std::runtime_error(std::string("CSMS_TEST_PG_URL_FILE ") + file +
                             " holds no URL: did the postgres fixture start?");
  }
  return url;
}

inline bool enabled() {
  return !server_url().empty();
}

/// `url` (postgresql:///DB?params) naming database `name` instead.
inline std::string with_database(const std::string& url, const std::string& name) {
  const auto slash = url.find('/', url.find("://") + 3);
  const auto query = url.find('?', slash);
  return url.substr(0, slash + 1) + name + (query == std::string::npos ? "" : url.substr(query));
}

/// The databases this process created, by test path; dropped at exit.
class Databases {
 public:
  ~Databases() {
    if (names_.empty()) return;
    try {
      storage::pg::PgConnection admin(server_url());
      for (const auto& name : names_)
        admin.exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    } catch (...) {  // The cluster goes away with the fixture anyway.
    }
  }
  /// The URL of the database for `path`, created on first use.
  std::string url_for(const std::string& path) {
    std::lock_guard<std::mutex> lock(mutex_);
    const std::string url = server_url();
    auto it = by_path_.find(path);
    if (it != by_path_.end()) return with_database(url, it->second);
    storage::pg::PgConnection admin(url);
    ensure_template(admin, url);
    const std::string name =
        "t" + std::to_string(::getpid()) + "_" + std::to_string(names_.size() + 1);
    admin.exec("CREATE DATABASE " + name + " TEMPLATE csms_template");
    names_.push_back(name);
    by_path_.emplace(path, name);
    return with_database(url, name);
  }

 private:
  /// A migrated database to copy (fast: no migrations per test), made once per
  /// cluster by whichever test process comes first.
  static void ensure_template(storage::pg::PgConnection& admin, const std::string& url) {
    admin.exec("SELECT pg_advisory_lock(4242)");
    try {
      storage::pg::Statement exists(admin,
                                    "SELECT 1 FROM pg_database WHERE datname = 'csms_template'");
      if (!exists.step()) {
        admin.exec("CREATE DATABASE csms_template_new");
        {
          storage::PostgresOptions options;
          options.url = with_database(url, "csms_template_new");
          storage::open_postgres(options);
        }
        admin.exec("ALTER DATABASE csms_template_new RENAME TO csms_template");
      }
    } catch (...) {
      admin.exec("SELECT pg_advisory_unlock(4242)");
      throw;
    }
    admin.exec("SELECT pg_advisory_unlock(4242)");
  }

  std::mutex mutex_;
  std::map<std::string, std::string> by_path_;
  std::vector<std::string> names_;
};

inline Databases& databases() {
  static Databases instance;
  return instance;
}

}  // namespace pg

/// Opens with defaults suitable for tests (a short busy timeout where it matters
/// is set by the test itself): SQLite at `path`, or under the PostgreSQL
/// fixture a fresh database of this test that `path` names (opening the same
/// path again reopens the same database).
inline std::unique_ptr<storage::Database> open(const std::string& path) {
  if (pg::enabled()) {
    storage::PostgresOptions options;
    options.url = pg::databases().url_for(path);
    return storage::open_postgres(options);
  }
  storage::SqliteOptions options;
  options.path = path;
  return storage::open_sqlite(options);
}

/// A separate raw connection to the same database: what another process
/// sees. On PostgreSQL, the test's database that `path` names.
class RawConnection {
 public:
  explicit RawConnection(const std::string& path) {
    if (pg::enabled()) {
      pg_ = std::make_unique<storage::pg::PgConnection>(pg::databases().url_for(path));
      return;
    }
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
      std::string msg = sqlite3_errmsg(db_);
      sqlite3_close(db_);
      throw std::runtime_error("raw open failed: " + msg);
    }
    sqlite3_busy_timeout(db_, 5000);
  }
  ~RawConnection() {
    if (db_ != nullptr) sqlite3_close(db_);
  }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  void exec(const std::string& sql) {
    if (pg_) {
      pg_->exec(sql);
      return;
    }
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err != nullptr ? err : "?";
      sqlite3_free(err);
      throw std::runtime_error("raw exec failed: " + msg + " in " + sql);
    }
  }
  /// The first column of the first row as an integer (0 when there is no row).
  std::int64_t integer(const std::string& sql) {
    if (pg_) {
      storage::pg::Statement st(*pg_, sql);
      return st.step() ? st.int64(0) : 0;
    }
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
    if (pg_) {
      storage::pg::Statement st(*pg_, sql);
      return st.step() ? st.text(0) : std::string();
    }
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
  std::unique_ptr<storage::pg::PgConnection> pg_;
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
