#pragma once
// One use of a connection's cached prepared statement: bind, step, read columns.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "storage/model.hpp"
#include "storage/sqlite_database.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace storage::sqlite {

/// Borrows the cached statement for `sql` from `db`; the destructor resets it
/// and clears its bindings, so it holds no lock and is ready for the next use,
/// also when an exception leaves the scope. Values are always bound, never
/// spliced into SQL text.
class Statement {
 public:
  Statement(SqliteDatabase& db, const std::string& sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  /// Binds args to parameters 1..N in order.
  template <class... Args>
  Statement& bind_all(const Args&... args) {
    int index = 0;
    (bind(++index, args), ...);
    return *this;
  }

  // Parameter indexes start at 1. There is deliberately no size_t overload:
  // callers convert (and clamp) explicitly.
  void bind(int index, std::int64_t v);
  void bind(int index, int v);
  void bind(int index, bool v);
  void bind(int index, double v);
  void bind(int index, std::string_view v);
  void bind(int index, const std::string& v) { bind(index, std::string_view(v)); }
  void bind(int index, const char* v) { bind(index, std::string_view(v)); }
  void bind(int index, const DateTime& v) { bind(index, v.unix_micros()); }
  void bind(int index, std::nullopt_t);
  template <class T>
  void bind(int index, const std::optional<T>& v) {
    if (v) {
      bind(index, *v);
    } else {
      bind(index, std::nullopt);
    }
  }

  /// Advances; true when a row is ready. Throws SqliteError on failure.
  bool step();
  /// Steps a statement that returns no rows.
  void run();
  /// Rewinds for another run with new bindings (inside one Statement's life).
  void reset();
  /// Rows changed by the last run() on this connection.
  std::int64_t changes() const;
  /// Rowid of the last insert on this connection.
  std::int64_t last_insert_rowid() const;

  // Columns of the current row, from 0. NULL reads as 0 / "" unless optional.
  bool is_null(int col) const;
  std::int64_t int64(int col) const;
  int integer(int col) const;
  bool boolean(int col) const { return int64(col) != 0; }
  double real(int col) const;
  std::string text(int col) const;
  DateTime time(int col) const { return DateTime::from_unix_micros(int64(col)); }
  std::optional<std::int64_t> opt_int64(int col) const;
  std::optional<double> opt_real(int col) const;
  std::optional<std::string> opt_text(int col) const;
  std::optional<DateTime> opt_time(int col) const;

 private:
  void check_bind(int rc, int index);

  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

/// SQLite takes LIMIT as a signed 64-bit integer; larger means "no limit".
std::int64_t limit_param(std::size_t limit);

}  // namespace storage::sqlite
