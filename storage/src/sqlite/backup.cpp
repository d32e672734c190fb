// storage::sqlite_backup: SQLite's online backup API from a second connection,
// so a running server keeps writing while the copy is taken.
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <thread>

#include "sqlite/error.hpp"
#include "storage/database.hpp"

namespace storage {

namespace {

struct Connection {
  sqlite3* db = nullptr;
  ~Connection() { sqlite3_close(db); }
};

}  // namespace

void sqlite_backup(const std::string& source, const std::string& destination,
                   std::chrono::milliseconds busy_timeout) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(source, ec))
    throw std::runtime_error("no database at " + source);
  // The copy holds what the database holds (password hashes, id tags): create
  // it 0600 before SQLite writes a byte, and never over an existing file.
  const int fd = ::open(destination.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    throw std::runtime_error("cannot create " + destination + ": " + std::strerror(errno));
  ::close(fd);
  try {
    Connection from;
    Connection to;
    int rc = sqlite3_open_v2(source.c_str(), &from.db, SQLITE_OPEN_READONLY, nullptr);
    if (rc != SQLITE_OK) sqlite::throw_sqlite_error(from.db, rc, "opening " + source);
    sqlite3_busy_timeout(from.db, static_cast<int>(busy_timeout.count()));
    rc = sqlite3_open_v2(destination.c_str(), &to.db, SQLITE_OPEN_READWRITE, nullptr);
    if (rc != SQLITE_OK) sqlite::throw_sqlite_error(to.db, rc, "opening " + destination);

    sqlite3_backup* backup = sqlite3_backup_init(to.db, "main", from.db, "main");
    if (!backup) sqlite::throw_sqlite_error(to.db, sqlite3_errcode(to.db), "starting the backup");
    // All pages in one step: one read transaction on the source, so the copy is
    // one consistent snapshot (in WAL mode the server's writes go on meanwhile).
    // A lock (a checkpoint's, another process's) is waited out up to the timeout.
    const auto deadline = std::chrono::steady_clock::now() + busy_timeout;
    do {
      rc = sqlite3_backup_step(backup, -1);
      if ((rc == SQLITE_BUSY || rc == SQLITE_LOCKED) && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      else
        break;
    } while (true);
    const int finish = sqlite3_backup_finish(backup);
    if (rc != SQLITE_DONE) sqlite::throw_sqlite_error(to.db, rc, "copying " + source);
    if (finish != SQLITE_OK) sqlite::throw_sqlite_error(to.db, finish, "finishing the backup");
    // One self-contained file: no -wal beside it for the operator to forget.
    char* error = nullptr;
    rc = sqlite3_exec(to.db, "PRAGMA journal_mode=DELETE", nullptr, nullptr, &error);
    sqlite3_free(error);
    if (rc != SQLITE_OK) sqlite::throw_sqlite_error(to.db, rc, "closing the backup's journal");
  } catch (...) {
    std::filesystem::remove(destination, ec);
    std::filesystem::remove(destination + "-journal", ec);
    std::filesystem::remove(destination + "-wal", ec);
    std::filesystem::remove(destination + "-shm", ec);
    throw;
  }
}

}  // namespace storage
