// OCPP 1.6 firmware, diagnostics and log commands: firmware-update
// (UpdateFirmware, or the security extension's SignedUpdateFirmware when
// signed), diagnostics (GetDiagnostics) and get-log (GetLog). Diagnostics and
// logs go to the CSMS's own upload endpoint unless the operator names a location.
#include "handlers/firmware_support.hpp"
#include "handlers/v16/commands.hpp"
#include "handlers/v201/commands.hpp"
#include "ocpp/v16/codec.hpp"
#include "services/services.hpp"

namespace csms::v16 {

namespace w = ocpp::v16;
using storage::DateTime;

namespace {

void firmware_update(Services& sv, StationSession& session, Params& p, CommandDone done) {
  p.allow({"location", "retrieve", "retries", "retryInterval", "signature", "signingCertificate",
           "install"});
  auto location = url_param(p, "location", true);
  auto retrieve = time_param(p, "retrieve");
  auto install = time_param(p, "install");
  auto retries = count_param(p, "retries");
  auto interval = count_param(p, "retryInterval");
  auto signature = p.string("signature", false);
  auto certificate = p.string("signingCertificate", false);
  const bool is_signed = signature || certificate;
  if (is_signed && !(signature && certificate))
    p.fail("a signed update needs both 'signature' and 'signingCertificate'");
  if (install && !is_signed)
    p.fail(
        "'install' needs a signed update on OCPP 1.6 (SignedUpdateFirmware): give "
        "'signature' and 'signingCertificate'");
  if (!p.ok()) return;

  storage::FirmwareRequest record;
  record.station_id = session.station_id();
  record.location = *location;
  record.retrieve_at = retrieve.value_or(sv.ctx.now());
  record.install_at = install;
  record.is_signed = is_signed;
  record.requested_at = sv.ctx.now();
  if (!is_signed) {
    w::UpdateFirmwareRequest req;
    req.location = *location;
    req.retrieveDate = *record.retrieve_at;
    req.retries = retries;
    req.retryInterval = interval;
    record.action = std::string(w::UpdateFirmwareRequest::kAction);
    // UpdateFirmware's answer is empty: the station took it.
    return send(session, req, std::move(done), [&sv, record](const w::UpdateFirmwareResponse&) {
      auto r = record;
      r.answer = "Accepted";
      record_firmware_request(sv.ctx, std::move(r));
    });
  }
  w::SignedUpdateFirmwareRequest req;
  req.requestId = next_request_id();
  req.retries = retries;
  req.retryInterval = interval;
  req.firmware.location = *location;
  req.firmware.retrieveDateTime = *record.retrieve_at;
  req.firmware.installDateTime = install;
  req.firmware.signature = *signature;
  req.firmware.signingCertificate = *certificate;
  record.action = std::string(w::SignedUpdateFirmwareRequest::kAction);
  record.request_id = req.requestId;
  send(session, req, v201::with_request_id(req.requestId, std::move(done)),
       [&sv, record](const w::SignedUpdateFirmwareResponse& res) {
         auto r = record;
         r.answer = std::string(w::to_string(res.status));
         record_firmware_request(sv.ctx, std::move(r));
       });
}

// Sends `make(location)` once the upload slot exists (or at once to the
// operator's own location); the answer names the location.
template <class Request, class Make, class OnAnswer>
void with_upload(Services& sv, StationSession& session, const std::optional<std::string>& own,
                 std::optional<std::int64_t> request_id, const std::string& log_type,
                 CommandDone done, Make make, OnAnswer on_answer) {
  if (own) {
    send(session, make(*own), with_location(*own, std::move(done)),
         [on_answer](const typename Request::Response& res) { on_answer("", res); });
    return;
  }
  auto alive = session.shared_from_this();
  open_upload_slot(
      sv.ctx, session.station_id(), std::string(Request::kAction), request_id, log_type,
      [alive, done = std::move(done), make, on_answer](std::exception_ptr e,
                                                       UploadSlot slot) mutable {
        if (e)
          return done(
              command_failure(CommandError::Internal, "the upload URL could not be stored"));
        send(*alive, make(slot.location), with_location(slot.location, std::move(done)),
             [on_answer, token = slot.token](const typename Request::Response& res) {
               on_answer(token, res);
             });
      });
}

void diagnostics(Services& sv, StationSession& session, Params& p, CommandDone done) {
  p.allow({"start", "stop", "retries", "retryInterval", "location"});
  auto start = time_param(p, "start");
  auto stop = time_param(p, "stop");
  auto retries = count_param(p, "retries");
  auto interval = count_param(p, "retryInterval");
  auto own = url_param(p, "location", false);
  if (start && stop && *stop < *start) p.fail("'stop' must not be before 'start'");
  if (!p.ok()) return;
  Services* services = &sv;
  with_upload<w::GetDiagnosticsRequest>(
      sv, session, own, std::nullopt, "", std::move(done),
      [=](const std::string& location) {
        w::GetDiagnosticsRequest req;
        req.location = location;
        req.startTime = start;
        req.stopTime = stop;
        req.retries = retries;
        req.retryInterval = interval;
        return req;
      },
      [services](const std::string& token, const w::GetDiagnosticsResponse& res) {
        // No fileName: the station has nothing to upload.
        if (!token.empty())
          record_upload_answer(services->ctx, token, res.fileName ? "Accepted" : "NoFile",
                               res.fileName.value_or(""));
      });
}

void get_log(Services& sv, StationSession& session, Params& p, CommandDone done) {
  p.allow({"type", "oldest", "latest", "retries", "retryInterval", "location"});
  auto type = p.enumeration<w::LogEnumType>("type", false, "DiagnosticsLog, SecurityLog")
                  .value_or(w::LogEnumType::DiagnosticsLog);
  auto oldest = time_param(p, "oldest");
  auto latest = time_param(p, "latest");
  auto retries = count_param(p, "retries");
  auto interval = count_param(p, "retryInterval");
  auto own = url_param(p, "location", false);
  if (oldest && latest && *latest < *oldest) p.fail("'latest' must not be before 'oldest'");
  if (!p.ok()) return;
  const std::int64_t id = next_request_id();
  Services* services = &sv;
  with_upload<w::GetLogRequest>(
      sv, session, own, id, std::string(w::to_string(type)),
      v201::with_request_id(id, std::move(done)),
      [=](const std::string& location) {
        w::GetLogRequest req;
        req.requestId = id;
        req.logType = type;
        req.log.remoteLocation = location;
        req.log.oldestTimestamp = oldest;
        req.log.latestTimestamp = latest;
        req.retries = retries;
        req.retryInterval = interval;
        return req;
      },
      [services](const std::string& token, const w::GetLogResponse& res) {
        if (!token.empty())
          record_upload_answer(services->ctx, token, std::string(w::to_string(res.status)),
                               res.filename.value_or(""));
      });
}

}  // namespace

void add_firmware_commands(CommandTable& table) {
  table["firmware-update"] = firmware_update;
  table["diagnostics"] = diagnostics;
  table["get-log"] = get_log;
}

}  // namespace csms::v16
