#pragma once
// The SQLite firmware and upload stores (see storage/firmware_stores.hpp).

#include "storage/firmware_stores.hpp"
#include "storage/sqlite_database.hpp"

namespace storage::sqlite {

class SqliteFirmwareStore final : public FirmwareStore {
 public:
  explicit SqliteFirmwareStore(SqliteDatabase& db) : db_(db) {}
  std::int64_t add_request(const FirmwareRequest& request) override;
  void set_answer(std::int64_t id, const std::string& answer) override;
  std::vector<FirmwareRequest> requests(const std::string& station_id, std::size_t limit) override;
  std::int64_t add_status(const StatusReport& report) override;
  std::vector<StatusReport> statuses(const std::string& station_id,
                                     std::optional<StatusTopic> topic, std::size_t limit) override;

 private:
  SqliteDatabase& db_;
};

class SqliteUploadStore final : public UploadStore {
 public:
  explicit SqliteUploadStore(SqliteDatabase& db) : db_(db) {}
  void add_request(const UploadRequest& request) override;
  std::optional<UploadRequest> request(const std::string& token) override;
  void set_answer(const std::string& token, const std::string& answer,
                  const std::string& file_name) override;
  bool claim(const std::string& token, const DateTime& now) override;
  std::int64_t add_file(const UploadedFile& file) override;
  std::optional<UploadedFile> file(std::int64_t id) override;
  std::vector<UploadedFile> files(const std::string& station_id, std::size_t limit) override;

 private:
  SqliteDatabase& db_;
};

}  // namespace storage::sqlite
