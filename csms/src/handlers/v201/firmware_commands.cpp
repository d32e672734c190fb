// OCPP 2.0.1 firmware and log commands: firmware-update (UpdateFirmware, signed
// when given a signature), firmware-publish/firmware-unpublish (Local
// Controller firmware publishing) and get-log (GetLog to the CSMS's own upload
// endpoint unless the operator names a location). Answers carry the requestId.
#include <algorithm>
#include <cctype>

#include "handlers/firmware_support.hpp"
#include "handlers/v201/commands.hpp"
#include "ocpp/v201/codec.hpp"
#include "services/services.hpp"

namespace csms::v201 {

namespace w = ocpp::v201;
using storage::DateTime;

namespace {

// PublishFirmware's checksum: the MD5 of the firmware file, 32 hex digits.
std::optional<std::string> md5_param(Params& p) {
  auto checksum = p.string("checksum", true);
  if (checksum &&
      (checksum->size() != 32 || !std::all_of(checksum->begin(), checksum->end(), [](char c) {
         return std::isxdigit(static_cast<unsigned char>(c));
       })))
    p.fail("'checksum' must be the firmware's MD5 as 32 hexadecimal digits");
  return checksum;
}

void firmware_update(Services& sv, StationSession& session, Params& p, CommandDone done) {
  p.allow({"location", "retrieve", "retries", "retryInterval", "signature", "signingCertificate",
           "install"});
  w::UpdateFirmwareRequest req;
  if (auto location = url_param(p, "location", true)) req.firmware.location = *location;
  req.firmware.retrieveDateTime = time_param(p, "retrieve").value_or(sv.ctx.now());
  req.firmware.installDateTime = time_param(p, "install");
  req.retries = count_param(p, "retries");
  req.retryInterval = count_param(p, "retryInterval");
  req.firmware.signature = p.string("signature", false);
  req.firmware.signingCertificate = p.string("signingCertificate", false);
  if (req.firmware.signature && !req.firmware.signingCertificate)
    p.fail("a signed update needs 'signingCertificate' with the 'signature'");
  if (!p.ok()) return;
  req.requestId = next_request_id();
  storage::FirmwareRequest record;
  record.station_id = session.station_id();
  record.action = std::string(w::UpdateFirmwareRequest::kAction);
  record.request_id = req.requestId;
  record.location = req.firmware.location;
  record.retrieve_at = req.firmware.retrieveDateTime;
  record.install_at = req.firmware.installDateTime;
  record.is_signed = req.firmware.signature.has_value();
  record.requested_at = sv.ctx.now();
  send(session, req, with_request_id(req.requestId, std::move(done)),
       [&sv, record](const w::UpdateFirmwareResponse& res) {
         auto r = record;
         r.answer = std::string(w::to_string(res.status));
         record_firmware_request(sv.ctx, std::move(r));
       });
}

void firmware_publish(Services& sv, StationSession& session, Params& p, CommandDone done) {
  p.allow({"location", "checksum", "retries", "retryInterval"});
  w::PublishFirmwareRequest req;
  if (auto location = url_param(p, "location", true)) req.location = *location;
  if (auto checksum = md5_param(p)) req.checksum = *checksum;
  req.retries = count_param(p, "retries");
  req.retryInterval = count_param(p, "retryInterval");
  if (!p.ok()) return;
  req.requestId = next_request_id();
  storage::FirmwareRequest record;
  record.station_id = session.station_id();
  record.action = std::string(w::PublishFirmwareRequest::kAction);
  record.request_id = req.requestId;
  record.location = req.location;
  record.checksum = req.checksum;
  record.requested_at = sv.ctx.now();
  send(session, req, with_request_id(req.requestId, std::move(done)),
       [&sv, record](const w::PublishFirmwareResponse& res) {
         auto r = record;
         r.answer = std::string(w::to_string(res.status));
         record_firmware_request(sv.ctx, std::move(r));
       });
}

void firmware_unpublish(Services& sv, StationSession& session, Params& p, CommandDone done) {
  p.allow({"checksum"});
  w::UnpublishFirmwareRequest req;
  if (auto checksum = md5_param(p)) req.checksum = *checksum;
  if (!p.ok()) return;
  storage::FirmwareRequest record;
  record.station_id = session.station_id();
  record.action = std::string(w::UnpublishFirmwareRequest::kAction);
  record.checksum = req.checksum;
  record.requested_at = sv.ctx.now();
  send(session, req, std::move(done), [&sv, record](const w::UnpublishFirmwareResponse& res) {
    auto r = record;
    r.answer = std::string(w::to_string(res.status));
    record_firmware_request(sv.ctx, std::move(r));
  });
}

void get_log(Services& sv, StationSession& session, Params& p, CommandDone done) {
  p.allow({"type", "oldest", "latest", "retries", "retryInterval", "location"});
  w::GetLogRequest req;
  req.logType = p.enumeration<w::LogEnumType>("type", false, "DiagnosticsLog, SecurityLog")
                    .value_or(w::LogEnumType::DiagnosticsLog);
  req.log.oldestTimestamp = time_param(p, "oldest");
  req.log.latestTimestamp = time_param(p, "latest");
  req.retries = count_param(p, "retries");
  req.retryInterval = count_param(p, "retryInterval");
  auto own = url_param(p, "location", false);
  if (req.log.oldestTimestamp && req.log.latestTimestamp &&
      *req.log.latestTimestamp < *req.log.oldestTimestamp)
    p.fail("'latest' must not be before 'oldest'");
  if (!p.ok()) return;
  req.requestId = next_request_id();
  CommandDone answered = with_request_id(req.requestId, std::move(done));
  if (own) {
    req.log.remoteLocation = *own;
    return send(session, req, with_location(*own, std::move(answered)));
  }
  auto alive = session.shared_from_this();
  Services* services = &sv;
  open_upload_slot(sv.ctx, session.station_id(), std::string(w::GetLogRequest::kAction),
                   req.requestId, std::string(w::to_string(req.logType)),
                   [alive, services, req, answered = std::move(answered)](std::exception_ptr e,
                                                                          UploadSlot slot) mutable {
                     if (e)
                       return answered(command_failure(CommandError::Internal,
                                                       "the upload URL could not be stored"));
                     req.log.remoteLocation = slot.location;
                     send(*alive, req, with_location(slot.location, std::move(answered)),
                          [services, token = slot.token](const w::GetLogResponse& res) {
                            record_upload_answer(services->ctx, token,
                                                 std::string(w::to_string(res.status)),
                                                 res.filename.value_or(""));
                          });
                   });
}

}  // namespace

void add_firmware_commands(CommandTable& table) {
  table["firmware-update"] = firmware_update;
  table["firmware-publish"] = firmware_publish;
  table["firmware-unpublish"] = firmware_unpublish;
  table["get-log"] = get_log;
}

}  // namespace csms::v201
