#pragma once
// Small SQL text helpers for the store bodies shared by both backends
// (common/*_impl.hpp): SQL is written once with `?` placeholders, which
// PgConnection::prepare numbers as $1..$N.

#include <cstddef>
#include <string>
#include <vector>

namespace storage::common {

/// "?, ?, ?" with n placeholders.
inline std::string placeholders(std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += i == 0 ? "?" : ", ?";
  return out;
}

/// The names in a comma-separated column list ("a, b, c").
inline std::vector<std::string> split_columns(const std::string& columns) {
  std::vector<std::string> out;
  std::string name;
  for (char c : columns) {
    if (c == ',') {
      out.push_back(name);
      name.clear();
    } else if (c != ' ') {
      name += c;
    }
  }
  if (!name.empty()) out.push_back(name);
  return out;
}

/// "INSERT INTO table (columns) VALUES (?, ...) ON CONFLICT (key) DO UPDATE
/// SET c = excluded.c" for every column not in `key`: replaces the row in
/// place (no delete, so no cascade), in SQLite and PostgreSQL syntax alike.
inline std::string upsert(const std::string& table, const std::string& columns,
                          const std::string& key) {
  const auto names = split_columns(columns);
  const auto keys = split_columns(key);
  std::string set;
  for (const auto& n : names) {
    bool is_key = false;
    for (const auto& k : keys) is_key = is_key || k == n;
    if (is_key) continue;
    set += (set.empty() ? "" : ", ") + n + " = excluded." + n;
  }
  return "INSERT INTO " + table + " (" + columns + ") VALUES (" + placeholders(names.size()) +
         ") ON CONFLICT (" + key + ") DO UPDATE SET " + set;
}

}  // namespace storage::common
