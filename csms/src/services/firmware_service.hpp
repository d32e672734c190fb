#pragma once
// Firmware, diagnostics and logs, version-neutral: status reports kept as
// history, operator requests with their answers, and upload slots (the
// single-use URLs a GetDiagnostics/GetLog tells the station to upload to).
// Callbacks run on the network thread.

#include <cstdint>
#include <exception>
#include <functional>
#include <optional>
#include <string>

#include "server/context.hpp"
#include "storage/firmware_stores.hpp"

namespace csms {

/// Stores a status a station reported (and keeps the message with the other
/// notifications); `done` runs once committed, or with the error.
void store_status_report(ServerContext& ctx, storage::StatusReport report, std::string payload_json,
                         std::function<void(std::exception_ptr)> done);

/// Records an operator's firmware request with the station's answer (not waited for).
void record_firmware_request(ServerContext& ctx, storage::FirmwareRequest request);

/// Where a station uploads: its token and the URL it is told.
struct UploadSlot {
  std::string token;
  std::string location;  ///< <uploads.public_url>/uploads/<token>/
};

/// Opens an upload slot for `action` (GetDiagnostics/GetLog) of `station_id`,
/// valid for uploads.token_ttl_s; `done` runs once it is committed, so the
/// station can never upload before the CSMS knows the token.
void open_upload_slot(ServerContext& ctx, const std::string& station_id, const std::string& action,
                      std::optional<std::int64_t> request_id, const std::string& log_type,
                      std::function<void(std::exception_ptr, UploadSlot)> done);

/// Records the station's answer to the request of an upload slot (not waited for).
void record_upload_answer(ServerContext& ctx, const std::string& token, const std::string& answer,
                          const std::string& file_name);

}  // namespace csms
