#pragma once
// SQLite failures as exceptions that keep SQLite's result code.

#include <stdexcept>
#include <string>
#include <string_view>

struct sqlite3;

namespace storage::sqlite {

/// A failed SQLite call. A std::runtime_error, as the public interfaces promise;
/// code() is the extended result code (SQLITE_BUSY, SQLITE_FULL, ...).
class SqliteError : public std::runtime_error {
 public:
  SqliteError(int code, const std::string& what) : std::runtime_error(what), code_(code) {}
  int code() const { return code_; }

 private:
  int code_;
};

/// Throws SqliteError for result code `rc`, with the connection's message and
/// `context` (what was being done).
[[noreturn]] void throw_sqlite_error(sqlite3* db, int rc, std::string_view context);

}  // namespace storage::sqlite
