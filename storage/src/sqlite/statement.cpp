#include "sqlite/statement.hpp"

#include <sqlite3.h>

#include <limits>

#include "sqlite/error.hpp"

namespace storage::sqlite {

Statement::Statement(SqliteDatabase& db, const std::string& sql)
    : db_(db.handle()), stmt_(db.prepare(sql)) {}

Statement::~Statement() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

void Statement::check_bind(int rc, int index) {
  if (rc != SQLITE_OK) {
    throw_sqlite_error(
        db_, rc,
        "binding parameter " + std::to_string(index) + " of " + std::string(sqlite3_sql(stmt_)));
  }
}

void Statement::bind(int index, std::int64_t v) {
  check_bind(sqlite3_bind_int64(stmt_, index, v), index);
}

void Statement::bind(int index, int v) {
  check_bind(sqlite3_bind_int(stmt_, index, v), index);
}

void Statement::bind(int index, bool v) {
  bind(index, v ? 1 : 0);
}

void Statement::bind(int index, double v) {
  check_bind(sqlite3_bind_double(stmt_, index, v), index);
}

void Statement::bind(int index, std::string_view v) {
  // A null pointer would bind NULL; an empty view may have one, and means "".
  const char* data = v.data() != nullptr ? v.data() : "";
  // TRANSIENT: SQLite copies, so the caller's string may go away before step().
  check_bind(sqlite3_bind_text64(stmt_, index, data, v.size(), SQLITE_TRANSIENT, SQLITE_UTF8),
             index);
}

void Statement::bind(int index, std::nullopt_t) {
  check_bind(sqlite3_bind_null(stmt_, index), index);
}

bool Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  throw_sqlite_error(db_, rc, sqlite3_sql(stmt_));
}

void Statement::run() {
  while (step()) {
  }
}

void Statement::reset() {
  // The result repeats the last step's error, which step() already threw.
  sqlite3_reset(stmt_);
}

std::int64_t Statement::changes() const {
  return sqlite3_changes64(db_);
}

std::int64_t Statement::last_insert_rowid() const {
  return sqlite3_last_insert_rowid(db_);
}

bool Statement::is_null(int col) const {
  return sqlite3_column_type(stmt_, col) == SQLITE_NULL;
}

std::int64_t Statement::int64(int col) const {
  return sqlite3_column_int64(stmt_, col);
}

int Statement::integer(int col) const {
  return sqlite3_column_int(stmt_, col);
}

double Statement::real(int col) const {
  return sqlite3_column_double(stmt_, col);
}

std::string Statement::text(int col) const {
  const auto* p = sqlite3_column_text(stmt_, col);
  if (p == nullptr) return {};
  // Length from SQLite, not strlen: text may contain NUL bytes.
  return std::string(reinterpret_cast<const char*>(p),
                     static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)));
}

std::optional<std::int64_t> Statement::opt_int64(int col) const {
  if (is_null(col)) return std::nullopt;
  return int64(col);
}

std::optional<double> Statement::opt_real(int col) const {
  if (is_null(col)) return std::nullopt;
  return real(col);
}

std::optional<std::string> Statement::opt_text(int col) const {
  if (is_null(col)) return std::nullopt;
  return text(col);
}

std::optional<DateTime> Statement::opt_time(int col) const {
  if (is_null(col)) return std::nullopt;
  return time(col);
}

std::int64_t limit_param(std::size_t limit) {
  constexpr auto kMax = static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max());
  return limit > kMax ? -1 : static_cast<std::int64_t>(limit);
}

}  // namespace storage::sqlite
