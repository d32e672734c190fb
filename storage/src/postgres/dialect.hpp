#pragma once
// What the store bodies shared with SQLite (common/*_impl.hpp) need to know
// about PostgreSQL: its connection and statement types and the few places
// where its SQL differs.

#include <cstdint>
#include <string>

#include "common/sql.hpp"
#include "postgres/statement.hpp"

namespace storage::pg {

/// The PostgreSQL side of the shared store templates.
struct Dialect {
  using Database = PgConnection;
  using Statement = pg::Statement;

  /// After ORDER BY on text: bytewise, as SQLite orders it, whatever the
  /// database's locale.
  static constexpr const char* kCollateC = " COLLATE \"C\"";
  /// Flags are BOOLEAN columns.
  static constexpr const char* kFalse = "false";
  static constexpr const char* kTrue = "true";
  /// A LIMIT parameter for `n` rows (larger than int64: no limit).
  static std::int64_t limit(std::size_t n) { return limit_param(n); }
  /// Appended to an INSERT whose new id inserted_id() returns.
  static constexpr const char* kReturningId = " RETURNING id";
  static std::int64_t inserted_id(Statement& st) {
    st.step();
    return st.int64(0);
  }
  /// id_tag compares case-insensitively through the unique index on lower(id_tag).
  static constexpr const char* kIdTagEquals = "lower(id_tag) = lower(?)";
  static constexpr const char* kIdTagKey = "(lower(id_tag))";

  /// An INSERT (`into_values`: "t (cols) VALUES (...)") that skips a row
  /// whose `key` (empty: any unique key) exists, as SQLite's INSERT OR IGNORE does.
  static std::string insert_ignore(const std::string& into_values, const std::string& key) {
    return "INSERT INTO " + into_values + " ON CONFLICT " + (key.empty() ? "" : "(" + key + ") ") +
           "DO NOTHING";
  }
  /// Every column of the row with the same `key` replaced, as SQLite's INSERT
  /// OR REPLACE does.
  static std::string replace_into(const std::string& table, const std::string& columns,
                                  const std::string& key) {
    return common::upsert(table, columns, key);
  }
};

}  // namespace storage::pg
