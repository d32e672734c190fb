// open_database(): picks the backend from the database URL.

#include <cctype>
#include <stdexcept>

#include "postgres/statement.hpp"
#include "storage/database.hpp"

namespace storage {

namespace {

bool starts_with(const std::string& s, const char* prefix) {
  return s.rfind(prefix, 0) == 0;
}

/// The URL scheme of `s` (RFC 3986: a letter, then letters, digits, + - .),
/// or "" when it has none. One letter before ':' is a Windows drive, not a scheme.
std::string scheme_of(const std::string& s) {
  const auto colon = s.find(':');
  if (colon == std::string::npos || colon < 2) return {};
  if (!std::isalpha(static_cast<unsigned char>(s[0]))) return {};
  for (std::size_t i = 1; i < colon; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (!std::isalnum(c) && c != '+' && c != '-' && c != '.') return {};
  }
  return s.substr(0, colon);
}

}  // namespace

DatabaseUrl parse_database_url(const std::string& url) {
  if (starts_with(url, "postgresql://") || starts_with(url, "postgres://")) {
    return {Backend::Postgres, url};
  }
  if (starts_with(url, "sqlite:")) {
    std::string path = url.substr(7);
    // sqlite:///abs/path and sqlite://rel are accepted as the URL spellings.
    if (starts_with(path, "//")) path = path.substr(2);
    if (path.empty()) throw std::runtime_error("database URL sqlite: names no file");
    return {Backend::Sqlite, path};
  }
  const std::string scheme = scheme_of(url);
  if (!scheme.empty()) {
    throw std::runtime_error("database URL scheme '" + scheme +
                             ":' is not supported; use postgresql://..., postgres://..., "
                             "sqlite:PATH or a plain file path");
  }
  if (url.empty()) throw std::runtime_error("database URL is empty");
  return {Backend::Sqlite, url};
}

std::string mask_database_url(const std::string& url) {
  return pg::mask_url(url);
}

std::unique_ptr<Database> open_database(const std::string& url, const DatabaseOptions& options) {
  const DatabaseUrl parsed = parse_database_url(url);
  if (parsed.backend == Backend::Postgres) {
    if (options.max_bytes > 0) {
      throw std::runtime_error(
          "database.max_bytes is SQLite-only; with PostgreSQL, limit the size on the server "
          "(unset max_bytes)");
    }
    PostgresOptions po;
    po.url = parsed.target;
    po.group_window = options.group_window;
    po.max_group = options.max_group;
    po.log = options.log;
    return open_postgres(po);
  }
  SqliteOptions so;
  so.path = parsed.target;
  so.busy_timeout = options.busy_timeout;
  so.max_bytes = options.max_bytes;
  so.group_window = options.group_window;
  so.max_group = options.max_group;
  so.log = options.log;
  return open_sqlite(so);
}

}  // namespace storage
