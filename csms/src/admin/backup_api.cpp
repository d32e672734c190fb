// GET /api/backup: a consistent copy of the running database (SQLite online
// backup API), taken on its own thread and sent as the response body.
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <memory>
#include <random>
#include <thread>

#include <boost/asio/post.hpp>

#include "admin/api.hpp"
#include "admin/request.hpp"
#include "csms/log.hpp"
#include "storage/database.hpp"

namespace csms::admin {

namespace {

// One backup at a time: each holds a whole copy of the database in memory.
std::atomic<bool> backup_running{false};

// The temporary copy goes beside the database (same file system, same
// owner-only directory), under a name no one can guess in advance.
// (<filesystem> is left out: its std::quoted would clash with admin::quoted.)
std::string temporary_path(const std::string& db_path) {
  std::random_device rd;
  const auto slash = db_path.rfind('/');
  const std::string dir = slash == std::string::npos ? "" : db_path.substr(0, slash + 1);
  return dir + ".backup-" + std::to_string(::getpid()) + "-" + std::to_string(rd()) + ".db";
}

ApiResponse take_backup(const std::string& db_path, std::chrono::milliseconds busy_timeout) {
  const std::string temp = temporary_path(db_path);
  storage::sqlite_backup(db_path, temp, busy_timeout);
  ApiResponse r;
  {
    std::ifstream in(temp, std::ios::binary);
    struct stat st {};
    const bool sized = ::stat(temp.c_str(), &st) == 0;
    r.body.resize(sized ? static_cast<std::size_t>(st.st_size) : 0);
    if (!in || !sized || !in.read(r.body.data(), static_cast<std::streamsize>(r.body.size())))
      r = error_response(500, "cannot read the backup copy " + temp);
  }
  ::unlink(temp.c_str());
  if (r.status != 200) return r;
  const std::string stamp = storage::DateTime::now().to_string();
  std::string name = "csms-" + stamp.substr(0, 19) + "Z.db";
  for (char& c : name) {
    if (c == ':') c = '-';
  }
  r.content_type = "application/vnd.sqlite3";
  r.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + name + "\"");
  return r;
}

}  // namespace

void Api::backup(Call& call) {
  if (!deps_.config.db_url.empty())
    throw ApiError(501,
                   "database backup through the admin API is SQLite-only; back a PostgreSQL "
                   "database up with pg_dump");
  if (backup_running.exchange(true))
    throw ApiError(409, "a backup is already being taken; try again when it has finished");
  const std::string db_path = deps_.config.db_path;
  const auto busy_timeout =
      std::chrono::milliseconds(std::max(deps_.config.db_busy_timeout_ms, 10000));
  backup_reply_ = call.reply;
  std::weak_ptr<Api> weak = shared_from_this();
  try {
    // Never on the network thread, nor on the storage threads that stations
    // wait on. The thread holds no reply and no Api: a server stopped
    // meanwhile is left alone.
    std::thread([weak, db_path, busy_timeout] {
      ApiResponse r;
      try {
        r = take_backup(db_path, busy_timeout);
        log::info("admin: database backup of {} taken ({} bytes)", db_path, r.body.size());
      } catch (const std::exception& e) {
        log::warn("admin: database backup failed: {}", e.what());
        r = error_response(500, std::string("backup failed: ") + e.what());
      }
      backup_running = false;
      if (auto self = weak.lock()) {
        boost::asio::post(self->io_, [weak, r = std::move(r)]() mutable {
          auto api = weak.lock();
          if (!api || !api->backup_reply_) return;
          Reply reply = std::move(api->backup_reply_);
          api->backup_reply_ = nullptr;
          reply(std::move(r));
        });
      }
    }).detach();
  } catch (...) {
    backup_reply_ = nullptr;
    backup_running = false;
    throw;
  }
}

}  // namespace csms::admin
