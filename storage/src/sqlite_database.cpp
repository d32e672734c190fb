#include "storage/sqlite_database.hpp"

#include <sqlite3.h>
#include <sys/stat.h>

#include <stdexcept>

#include "sqlite/error.hpp"

namespace storage {

namespace sqlite {

void throw_sqlite_error(sqlite3* db, int rc, std::string_view context) {
  // The connection's message is more specific than the code's ("UNIQUE
  // constraint failed: ..." rather than "constraint failed") when it matches rc.
  std::string msg =
      db != nullptr && sqlite3_extended_errcode(db) == rc ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  std::string what = "sqlite: " + msg;
  if (!context.empty()) what.append(" (").append(context).append(")");
  throw SqliteError(rc, what);
}

}  // namespace sqlite

namespace {

// The start of a statement, to say which one failed without flooding logs.
std::string excerpt(const std::string& sql) {
  constexpr std::size_t kMax = 80;
  return sql.size() <= kMax ? sql : sql.substr(0, kMax) + "...";
}

}  // namespace

SqliteDatabase::SqliteDatabase(const std::string& path, int busy_timeout_ms) {
  int rc =
      sqlite3_open_v2(path.c_str(), &db_,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close(db_);
    db_ = nullptr;
    throw sqlite::SqliteError(rc, "cannot open database " + path + ": " + msg);
  }
  try {
    // The database holds id tags and password hashes: only its owner may read
    // it. SQLite gives the -wal and -shm files the database file's mode; an
    // older database (or its files) created with a looser one is tightened too.
    if (!path.empty() && path != ":memory:" && path.rfind("file:", 0) != 0)
      for (const char* suffix : {"", "-wal", "-shm"}) ::chmod((path + suffix).c_str(), 0600);
    // Extended codes tell SQLITE_BUSY_SNAPSHOT, SQLITE_IOERR_FSYNC... apart.
    sqlite3_extended_result_codes(db_, 1);
    // Set first: opening a WAL database may itself have to wait for a lock.
    sqlite3_busy_timeout(db_, busy_timeout_ms);
    // WAL lets readers run beside the single writer; synchronous=FULL makes a
    // commit durable (WAL fsynced) before it returns, which the "never lose
    // acknowledged data" rule relies on.
    exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;");
    // journal_mode answers with the mode it got, and does not fail when it
    // cannot switch (e.g. :memory:); for a file, anything but WAL is an error.
    sqlite3_stmt* mode = prepare("PRAGMA journal_mode");
    std::string got;
    if (sqlite3_step(mode) == SQLITE_ROW && sqlite3_column_text(mode, 0) != nullptr) {
      got = reinterpret_cast<const char*>(sqlite3_column_text(mode, 0));
    }
    sqlite3_reset(mode);
    if (got != "wal" && path != ":memory:" && !path.empty()) {
      throw std::runtime_error("cannot put database " + path + " in WAL mode (got '" + got + "')");
    }
  } catch (const std::exception& e) {
    for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
    statements_.clear();
    sqlite3_close(db_);
    db_ = nullptr;
    std::string what = "cannot open database " + path + ": " + e.what();
    // Keep SQLite's code (a database locked while opening is SQLITE_BUSY).
    if (auto* se = dynamic_cast<const sqlite::SqliteError*>(&e)) {
      throw sqlite::SqliteError(se->code(), what);
    }
    throw std::runtime_error(what);
  }
}

SqliteDatabase::~SqliteDatabase() {
  // sqlite3_close refuses while statements are alive; finalize them first.
  for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
  sqlite3_close(db_);
}

void SqliteDatabase::exec(const std::string& sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = err != nullptr ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    throw sqlite::SqliteError(rc, "sqlite: " + msg + " (" + excerpt(sql) + ")");
  }
}

void SqliteDatabase::run(const std::string& sql) {
  sqlite3_stmt* stmt = prepare(sql);
  int rc = sqlite3_step(stmt);
  sqlite3_reset(stmt);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW) sqlite::throw_sqlite_error(db_, rc, excerpt(sql));
}

sqlite3_stmt* SqliteDatabase::prepare(const std::string& sql) {
  auto it = statements_.find(sql);
  if (it != statements_.end()) return it->second;
  sqlite3_stmt* stmt = nullptr;
  // PERSISTENT: these live as long as the connection, so SQLite should not
  // allocate them from its short-lived lookaside memory.
  int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) sqlite::throw_sqlite_error(db_, rc, "preparing " + excerpt(sql));
  statements_.emplace(sql, stmt);
  return stmt;
}

}  // namespace storage
