#pragma once
// The PostgreSQL firmware and upload stores (see storage/firmware_stores.hpp).

#include "postgres/statement.hpp"
#include "storage/firmware_stores.hpp"

namespace storage::pg {

/// Firmware requests and status reports on PostgreSQL.
class PgFirmwareStore final : public FirmwareStore {
 public:
  explicit PgFirmwareStore(PgConnection& db) : db_(db) {}
  std::int64_t add_request(const FirmwareRequest& request) override;
  void set_answer(std::int64_t id, const std::string& answer) override;
  std::vector<FirmwareRequest> requests(const std::string& station_id, std::size_t limit) override;
  std::int64_t add_status(const StatusReport& report) override;
  std::vector<StatusReport> statuses(const std::string& station_id,
                                     std::optional<StatusTopic> topic, std::size_t limit) override;

 private:
  PgConnection& db_;
};

/// Upload slots and uploaded files on PostgreSQL.
class PgUploadStore final : public UploadStore {
 public:
  explicit PgUploadStore(PgConnection& db) : db_(db) {}
  void add_request(const UploadRequest& request) override;
  std::optional<UploadRequest> request(const std::string& token) override;
  void set_answer(const std::string& token, const std::string& answer,
                  const std::string& file_name) override;
  bool claim(const std::string& token, const DateTime& now) override;
  std::int64_t add_file(const UploadedFile& file) override;
  std::optional<UploadedFile> file(std::int64_t id) override;
  std::vector<UploadedFile> files(const std::string& station_id, std::size_t limit) override;

 private:
  PgConnection& db_;
};

}  // namespace storage::pg
