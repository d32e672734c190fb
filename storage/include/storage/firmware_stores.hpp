#pragma once
// Firmware updates, status reports and uploaded files (diagnostics, logs):
// their model and store interfaces. Included by stores.hpp.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/model.hpp"

namespace storage {

/// An operator's firmware request to a station (UpdateFirmware,
/// SignedUpdateFirmware, PublishFirmware, UnpublishFirmware) and its answer.
struct FirmwareRequest {
  std::int64_t id = 0;
  std::string station_id;
  std::string action;  ///< The OCPP action sent.
  std::optional<std::int64_t> request_id;
  std::string location;
  std::string checksum;  ///< PublishFirmware/UnpublishFirmware MD5.
  std::optional<DateTime> retrieve_at;
  std::optional<DateTime> install_at;
  bool is_signed = false;  ///< Carried a signature and signing certificate.
  std::string answer;      ///< The station's status ("Accepted", ...); empty until answered.
  DateTime requested_at;
};

/// Which kind of progress a StatusReport tells.
enum class StatusTopic { Firmware, Publish, Diagnostics, Log };

/// One status a station reported (FirmwareStatusNotification,
/// SignedFirmwareStatusNotification, PublishFirmwareStatusNotification,
/// DiagnosticsStatusNotification, LogStatusNotification).
struct StatusReport {
  std::int64_t id = 0;
  std::string station_id;
  StatusTopic topic = StatusTopic::Firmware;
  std::string action;
  std::string status;  ///< As sent, e.g. "Downloading".
  std::optional<std::int64_t> request_id;
  std::string detail;  ///< Publish: the locations, space-separated.
  DateTime received_at;
};

/// An upload slot: the token in the URL a GetDiagnostics/GetLog told the
/// station to upload to. Single use, valid until expires_at.
struct UploadRequest {
  std::string token;
  std::string station_id;
  std::string action;  ///< "GetDiagnostics" or "GetLog".
  std::optional<std::int64_t> request_id;
  std::string log_type;   ///< GetLog logType; empty for GetDiagnostics.
  std::string file_name;  ///< The name the station's answer announced, if any.
  std::string answer;     ///< GetLog status; "Accepted" for GetDiagnostics once answered.
  DateTime created_at;
  DateTime expires_at;
  std::optional<DateTime> used_at;
};

/// A file a station uploaded, stored under the upload directory.
struct UploadedFile {
  std::int64_t id = 0;
  std::string station_id;
  std::string token;
  std::string action;
  std::optional<std::int64_t> request_id;
  std::string name;  ///< As the station named it (sanitized).
  std::string path;  ///< Where the file is kept (absolute).
  std::int64_t size = 0;
  std::string sha256;  ///< Lowercase hex.
  std::string content_type;
  DateTime received_at;
};

std::string_view to_string(StatusTopic v);
std::optional<StatusTopic> status_topic_from_string(std::string_view s);

/// Firmware requests and the status reports of firmware, publishing,
/// diagnostics and logs, kept as history per station.
class FirmwareStore {
 public:
  virtual ~FirmwareStore() = default;
  virtual std::int64_t add_request(const FirmwareRequest& request) = 0;
  /// Records the station's answer to request `id`.
  virtual void set_answer(std::int64_t id, const std::string& answer) = 0;
  /// Newest first.
  virtual std::vector<FirmwareRequest> requests(const std::string& station_id,
                                                std::size_t limit) = 0;
  virtual std::int64_t add_status(const StatusReport& report) = 0;
  /// Newest first; `topic` nullopt: every topic.
  virtual std::vector<StatusReport> statuses(const std::string& station_id,
                                             std::optional<StatusTopic> topic,
                                             std::size_t limit) = 0;
};

/// Upload slots and uploaded files.
class UploadStore {
 public:
  virtual ~UploadStore() = default;
  virtual void add_request(const UploadRequest& request) = 0;
  virtual std::optional<UploadRequest> request(const std::string& token) = 0;
  /// Records the station's answer to the request of `token`.
  virtual void set_answer(const std::string& token, const std::string& answer,
                          const std::string& file_name) = 0;
  /// Uses the token up: true if it existed, was unused and had not expired at `now`.
  virtual bool claim(const std::string& token, const DateTime& now) = 0;
  virtual std::int64_t add_file(const UploadedFile& file) = 0;
  virtual std::optional<UploadedFile> file(std::int64_t id) = 0;
  /// Newest first; empty station_id: every station.
  virtual std::vector<UploadedFile> files(const std::string& station_id, std::size_t limit) = 0;
};

}  // namespace storage
