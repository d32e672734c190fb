#pragma once
// The PostgreSQL connection and one use of a statement on it, shaped like
// storage::sqlite::Statement so that each store reads the same on both backends.

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "storage/model.hpp"

typedef struct pg_conn PGconn;
typedef struct pg_result PGresult;

namespace storage::pg {

/// A failed libpq call, as a std::runtime_error (what the store interfaces
/// promise); sqlstate() is PostgreSQL's five-character SQLSTATE ("23505"...),
/// empty for connection-level failures. Messages never contain a password.
class PgError : public std::runtime_error {
 public:
  PgError(std::string sqlstate, const std::string& what)
      : std::runtime_error(what), sqlstate_(std::move(sqlstate)) {}
  const std::string& sqlstate() const { return sqlstate_; }

 private:
  std::string sqlstate_;
};

/// `url` with its password (userinfo or `password=` parameter) replaced by
/// "***": the only form of a database URL that may be logged or shown.
std::string mask_url(const std::string& url);

/// One libpq connection, in UTC, with its prepared statements cached by SQL
/// text. Not thread-safe: each connection belongs to one storage thread.
class PgConnection {
 public:
  /// `conninfo`: a postgresql:// URL or a key=value string. Throws PgError
  /// naming the (masked) target when the connection fails.
  explicit PgConnection(const std::string& conninfo);
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  /// Runs one or more statements without parameters or results; throws PgError.
  void exec(const std::string& sql);

  /// The server-side prepared statement name for `sql` ($1..$N parameters, or
  /// SQLite-style `?` ones, numbered in order), preparing it on first use.
  const std::string& prepare(const std::string& sql);

  /// True inside a transaction block (also a failed one, until ROLLBACK).
  bool in_transaction() const;

  /// Executes prepared statement `name`. Inside a transaction it runs between
  /// SAVEPOINT and RELEASE (one round trip, pipelined), so that a failing
  /// statement is undone alone and the transaction goes on, as on SQLite: a
  /// work item may catch the error and continue. Returns the statement's
  /// result (the caller owns it), failed or not.
  PGresult* execute_prepared(const std::string& name, const std::vector<const char*>& values);

  /// After a lost connection (server restart, network): reconnects once and
  /// forgets the prepared statements, which died with the old session. Throws
  /// PgError when the server is still unreachable. A no-op on a live connection.
  void reconnect_if_broken();

  PGconn* handle() const { return conn_; }

 private:
  friend class Statement;  // For the SQL text of a failed statement.
  void configure();

  PGconn* conn_ = nullptr;
  std::unordered_map<std::string, std::string> prepared_;  ///< SQL -> statement name
};

/// One execution of a cached prepared statement: bind $1..$N, then step()
/// through the rows (the first step() executes) or run() it. Values are always
/// bound as parameters, never spliced into SQL text. Timestamps are bound and
/// read as microseconds since the epoch (BIGINT columns), as on SQLite; flags
/// are BOOLEAN columns.
class Statement {
 public:
  Statement(PgConnection& db, const std::string& sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  /// Binds args to parameters $1..$N in order.
  template <class... Args>
  Statement& bind_all(const Args&... args) {
    int index = 0;
    (bind(++index, args), ...);
    return *this;
  }

  // Parameter indexes start at 1, as on SQLite.
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

  /// Executes on the first call, then advances; true when a row is ready.
  /// Throws PgError on failure.
  bool step();
  /// Executes a statement whose rows (if any) are not needed.
  void run();
  /// Forgets the result, for another execution with new bindings.
  void reset();
  /// Rows inserted, updated or deleted by the last execution.
  std::int64_t changes() const;

  // Columns of the current row, from 0. NULL reads as 0 / "" unless optional.
  bool is_null(int col) const;
  std::int64_t int64(int col) const;
  int integer(int col) const;
  bool boolean(int col) const;
  double real(int col) const;
  std::string text(int col) const;
  DateTime time(int col) const { return DateTime::from_unix_micros(int64(col)); }
  std::optional<std::int64_t> opt_int64(int col) const;
  std::optional<double> opt_real(int col) const;
  std::optional<std::string> opt_text(int col) const;
  std::optional<DateTime> opt_time(int col) const;

 private:
  void execute();

  PgConnection& db_;
  const std::string& name_;
  std::vector<std::optional<std::string>> params_;
  PGresult* result_ = nullptr;
  int row_ = -1;
};

/// LIMIT as a signed 64-bit integer; larger means "no limit".
std::int64_t limit_param(std::size_t limit);

}  // namespace storage::pg
