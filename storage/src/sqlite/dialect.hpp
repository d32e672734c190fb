#pragma once
// What the store bodies shared with PostgreSQL (common/*_impl.hpp) need to
// know about SQLite: its connection and statement types and the few places
// where its SQL differs.

#include <cstdint>
#include <string>

#include "common/sql.hpp"
#include "sqlite/statement.hpp"
#include "storage/sqlite_database.hpp"

namespace storage::sqlite {

/// The SQLite side of the shared store templates.
struct Dialect {
  using Database = SqliteDatabase;
  using Statement = sqlite::Statement;

  /// After ORDER BY on text: SQLite's BINARY collation is bytewise already.
  static constexpr const char* kCollateC = "";
  /// Flags are INTEGER columns.
  static constexpr const char* kFalse = "0";
  static constexpr const char* kTrue = "1";
  /// A LIMIT parameter for `n` rows (larger than int64: no limit).
  static std::int64_t limit(std::size_t n) { return limit_param(n); }
  /// Appended to an INSERT whose new id inserted_id() returns.
  static constexpr const char* kReturningId = "";
  static std::int64_t inserted_id(Statement& st) {
    st.run();
    return st.last_insert_rowid();
  }
  /// id_tag compares case-insensitively through COLLATE NOCASE in the schema.
  static constexpr const char* kIdTagEquals = "id_tag = ?";
  static constexpr const char* kIdTagKey = "id_tag";

  /// An INSERT (`into_values`: "t (cols) VALUES (...)") that skips rows that
  /// would violate a constraint, as INSERT OR IGNORE does.
  static std::string insert_ignore(const std::string& into_values, const std::string& /*key*/) {
    return "INSERT OR IGNORE INTO " + into_values;
  }
  /// INSERT OR REPLACE: every column of the row with the same key replaced.
  static std::string replace_into(const std::string& table, const std::string& columns,
                                  const std::string& /*key*/) {
    return "INSERT OR REPLACE INTO " + table + " (" + columns + ") VALUES (" +
           common::placeholders(common::split_columns(columns).size()) + ")";
  }
};

}  // namespace storage::sqlite
