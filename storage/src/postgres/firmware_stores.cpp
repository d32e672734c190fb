// PostgreSQL implementation of the firmware and upload stores (migration 0002).
#include "postgres/firmware_stores.hpp"

namespace storage::pg {

namespace {

const char* const kSelectRequest =
    "SELECT id, station_id, action, request_id, location, checksum, retrieve_at, install_at, "
    "signed, answer, requested_at FROM firmware_requests ";

FirmwareRequest read_request(const Statement& st) {
  FirmwareRequest r;
  r.id = st.int64(0);
  r.station_id = st.text(1);
  r.action = st.text(2);
  r.request_id = st.opt_int64(3);
  r.location = st.text(4);
  r.checksum = st.text(5);
  r.retrieve_at = st.opt_time(6);
  r.install_at = st.opt_time(7);
  r.is_signed = st.boolean(8);
  r.answer = st.text(9);
  r.requested_at = st.time(10);
  return r;
}

const char* const kSelectUpload =
    "SELECT token, station_id, action, request_id, log_type, file_name, answer, created_at, "
    "expires_at, used_at FROM upload_requests ";

UploadRequest read_upload(const Statement& st) {
  UploadRequest r;
  r.token = st.text(0);
  r.station_id = st.text(1);
  r.action = st.text(2);
  r.request_id = st.opt_int64(3);
  r.log_type = st.text(4);
  r.file_name = st.text(5);
  r.answer = st.text(6);
  r.created_at = st.time(7);
  r.expires_at = st.time(8);
  r.used_at = st.opt_time(9);
  return r;
}

const char* const kSelectFile =
    "SELECT id, station_id, token, action, request_id, name, path, size, sha256, content_type, "
    "received_at FROM uploaded_files ";

UploadedFile read_file(const Statement& st) {
  UploadedFile f;
  f.id = st.int64(0);
  f.station_id = st.text(1);
  f.token = st.text(2);
  f.action = st.text(3);
  f.request_id = st.opt_int64(4);
  f.name = st.text(5);
  f.path = st.text(6);
  f.size = st.int64(7);
  f.sha256 = st.text(8);
  f.content_type = st.text(9);
  f.received_at = st.time(10);
  return f;
}

}  // namespace

std::int64_t PgFirmwareStore::add_request(const FirmwareRequest& r) {
  Statement st(db_,
               "INSERT INTO firmware_requests (station_id, action, request_id, location, checksum, "
               "retrieve_at, install_at, signed, answer, requested_at) "
               "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id");
  st.bind_all(r.station_id, r.action, r.request_id, r.location, r.checksum, r.retrieve_at,
              r.install_at, r.is_signed, r.answer, r.requested_at);
  st.step();
  return st.int64(0);
}

void PgFirmwareStore::set_answer(std::int64_t id, const std::string& answer) {
  Statement st(db_, "UPDATE firmware_requests SET answer = $1 WHERE id = $2");
  st.bind_all(answer, id);
  st.run();
}

std::vector<FirmwareRequest> PgFirmwareStore::requests(const std::string& station_id,
                                                       std::size_t limit) {
  Statement st(db_,
               std::string(kSelectRequest) + "WHERE station_id = $1 ORDER BY id DESC LIMIT $2");
  st.bind_all(station_id, limit_param(limit));
  std::vector<FirmwareRequest> out;
  while (st.step()) out.push_back(read_request(st));
  return out;
}

std::int64_t PgFirmwareStore::add_status(const StatusReport& r) {
  Statement st(db_,
               "INSERT INTO status_reports (station_id, topic, action, status, request_id, detail, "
               "received_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id");
  st.bind_all(r.station_id, to_string(r.topic), r.action, r.status, r.request_id, r.detail,
              r.received_at);
  st.step();
  return st.int64(0);
}

std::vector<StatusReport> PgFirmwareStore::statuses(const std::string& station_id,
                                                    std::optional<StatusTopic> topic,
                                                    std::size_t limit) {
  std::string sql =
      "SELECT id, station_id, topic, action, status, request_id, detail, received_at "
      "FROM status_reports WHERE station_id = $1";
  sql += topic ? " AND topic = $2 ORDER BY id DESC LIMIT $3" : " ORDER BY id DESC LIMIT $2";
  Statement st(db_, sql);
  int index = 0;
  st.bind(++index, station_id);
  if (topic) st.bind(++index, to_string(*topic));
  st.bind(++index, limit_param(limit));
  std::vector<StatusReport> out;
  while (st.step()) {
    StatusReport r;
    r.id = st.int64(0);
    r.station_id = st.text(1);
    r.topic = status_topic_from_string(st.text(2)).value_or(StatusTopic::Firmware);
    r.action = st.text(3);
    r.status = st.text(4);
    r.request_id = st.opt_int64(5);
    r.detail = st.text(6);
    r.received_at = st.time(7);
    out.push_back(std::move(r));
  }
  return out;
}

void PgUploadStore::add_request(const UploadRequest& r) {
  Statement st(db_,
               "INSERT INTO upload_requests (token, station_id, action, request_id, log_type, "
               "file_name, answer, created_at, expires_at, used_at) "
               "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)");
  st.bind_all(r.token, r.station_id, r.action, r.request_id, r.log_type, r.file_name, r.answer,
              r.created_at, r.expires_at, r.used_at);
  st.run();
}

std::optional<UploadRequest> PgUploadStore::request(const std::string& token) {
  Statement st(db_, std::string(kSelectUpload) + "WHERE token = $1");
  st.bind_all(token);
  if (!st.step()) return std::nullopt;
  return read_upload(st);
}

void PgUploadStore::set_answer(const std::string& token, const std::string& answer,
                               const std::string& file_name) {
  Statement st(db_, "UPDATE upload_requests SET answer = $1, file_name = $2 WHERE token = $3");
  st.bind_all(answer, file_name, token);
  st.run();
}

bool PgUploadStore::claim(const std::string& token, const DateTime& now) {
  // One UPDATE: of two nodes claiming at once, only one sees used_at NULL.
  Statement st(db_,
               "UPDATE upload_requests SET used_at = $1 "
               "WHERE token = $2 AND used_at IS NULL AND expires_at > $1");
  st.bind_all(now, token);
  st.run();
  return st.changes() == 1;
}

std::int64_t PgUploadStore::add_file(const UploadedFile& f) {
  Statement st(db_,
               "INSERT INTO uploaded_files (station_id, token, action, request_id, name, path, "
               "size, sha256, content_type, received_at) "
               "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id");
  st.bind_all(f.station_id, f.token, f.action, f.request_id, f.name, f.path, f.size, f.sha256,
              f.content_type, f.received_at);
  st.step();
  return st.int64(0);
}

std::optional<UploadedFile> PgUploadStore::file(std::int64_t id) {
  Statement st(db_, std::string(kSelectFile) + "WHERE id = $1");
  st.bind_all(id);
  if (!st.step()) return std::nullopt;
  return read_file(st);
}

std::vector<UploadedFile> PgUploadStore::files(const std::string& station_id, std::size_t limit) {
  // Two statements, so the one for a station has a plan that uses its index.
  std::string sql = kSelectFile;
  sql += station_id.empty() ? "ORDER BY id DESC LIMIT $1"
                            : "WHERE station_id = $1 ORDER BY id DESC LIMIT $2";
  Statement st(db_, sql);
  int index = 0;
  if (!station_id.empty()) st.bind(++index, station_id);
  st.bind(++index, limit_param(limit));
  std::vector<UploadedFile> out;
  while (st.step()) out.push_back(read_file(st));
  return out;
}

}  // namespace storage::pg
