// A 1.6 charge point's firmware updates (UpdateFirmware and the security
// extension's SignedUpdateFirmware), diagnostics (GetDiagnostics) and log
// uploads (GetLog), with their status notifications.
#include <fmt/format.h>

#include "ocpp/v16/codec.hpp"
#include "rpc.hpp"
#include "simulator/v16/charge_point.hpp"

namespace simulator::v16 {

using namespace ocpp::v16;

namespace {

template <typename Request, typename Fn>
CallAnswer answer(const ocpp::Frame& call, Fn&& fn) {
  return simulator::answer<Request>(call, ocpp::Version::v16, std::forward<Fn>(fn));
}

// Wall-clock seconds in a file name: no characters file systems dislike.
std::string stamp(const ocpp::DateTime& t) {
  return std::to_string(t.unix_micros() / 1000000);
}

}  // namespace

void ChargePoint::send_firmware_status(const std::string& status) {
  if (!ready()) return;
  if (firmware_signed_) {
    SignedFirmwareStatusNotificationRequest req;
    from_string(status, req.status);
    req.requestId = maintenance_.firmware.request_id;
    messenger_.call(make_call(req));
    return;
  }
  FirmwareStatusNotificationRequest req;
  if (!from_string(status, req.status)) req.status = FirmwareStatus::Idle;
  messenger_.call(make_call(req));
}

CallAnswer ChargePoint::on_update_firmware(const ocpp::Frame& call) {
  return answer<UpdateFirmwareRequest>(call, [this](const auto& req) {
    return Outcome<UpdateFirmwareResponse>{
        {}, [this, retrieve = req.retrieveDate] {
          log_.info("firmware update: download at {}", retrieve.to_string());
          firmware_signed_ = false;
          maintenance_.firmware.request_id.reset();
          maintenance_.play(
              scheduler_, maintenance_.firmware,
              Maintenance::firmware_steps(scheduler_.wall_now(), retrieve, std::nullopt, false,
                                          false),
              [this](const std::string& status) { send_firmware_status(status); }, true);
        }};
  });
}

CallAnswer ChargePoint::on_signed_update_firmware(const ocpp::Frame& call) {
  return answer<SignedUpdateFirmwareRequest>(call, [this](const auto& req) {
    Outcome<SignedUpdateFirmwareResponse> out{{UpdateFirmwareStatusEnumType::Accepted}, {}};
    // A newer request cancels one still going (the whitepaper's AcceptedCanceled).
    if (maintenance_.firmware.busy())
      out.response.status = UpdateFirmwareStatusEnumType::AcceptedCanceled;
    out.then = [this, id = req.requestId, firmware = req.firmware] {
      log_.info("signed firmware update {}: download at {}", id,
                firmware.retrieveDateTime.to_string());
      firmware_signed_ = true;
      maintenance_.firmware.request_id = id;
      maintenance_.play(
          scheduler_, maintenance_.firmware,
          Maintenance::firmware_steps(scheduler_.wall_now(), firmware.retrieveDateTime,
                                      firmware.installDateTime, true, true),
          [this](const std::string& status) { send_firmware_status(status); }, true);
    };
    return out;
  });
}

void ChargePoint::report_firmware_status() {
  // ExtendedTriggerMessage: the security extension's message, with the request id.
  if (!ready()) return;
  SignedFirmwareStatusNotificationRequest req;
  if (!from_string(maintenance_.firmware.status, req.status))
    req.status = FirmwareStatusEnumType::Idle;
  if (maintenance_.firmware.busy()) req.requestId = maintenance_.firmware.request_id;
  messenger_.call(make_call(req));
}

void ChargePoint::report_plain_firmware_status() {
  if (!ready()) return;
  FirmwareStatusNotificationRequest req;
  // Statuses only the signed kind knows: a verified download is still
  // Downloaded; waiting for a scheduled time is Idle.
  const std::string& s = maintenance_.firmware.status;
  if (!from_string(s, req.status))
    req.status = s == "SignatureVerified" ? FirmwareStatus::Downloaded : FirmwareStatus::Idle;
  messenger_.call(make_call(req));
}

void ChargePoint::report_diagnostics_status() {
  if (!ready()) return;
  DiagnosticsStatusNotificationRequest req;
  if (!from_string(maintenance_.diagnostics.status, req.status))
    req.status = DiagnosticsStatus::Idle;
  messenger_.call(make_call(req));
}

void ChargePoint::report_log_status() {
  if (!ready()) return;
  LogStatusNotificationRequest req;
  if (!from_string(maintenance_.log.status, req.status)) req.status = UploadLogStatusEnumType::Idle;
  if (maintenance_.log.busy()) req.requestId = maintenance_.log.request_id;
  messenger_.call(make_call(req));
}

CallAnswer ChargePoint::on_get_diagnostics(const ocpp::Frame& call) {
  return answer<GetDiagnosticsRequest>(call, [this](const auto& req) {
    const auto now = scheduler_.wall_now();
    const std::string name = "diagnostics-" + settings_.id + "-" + stamp(now) + ".txt";
    Outcome<GetDiagnosticsResponse> out{{name}, {}};
    out.then = [this, location = req.location, name, now] {
      log_.info("diagnostics: uploading {} to {}", name, location);
      maintenance_.upload(scheduler_, maintenance_.diagnostics, location, name,
                          sample_log(settings_.id, "diagnostics", now), "UploadFailed",
                          [this](const std::string&) { report_diagnostics_status(); });
    };
    return out;
  });
}

CallAnswer ChargePoint::on_get_log(const ocpp::Frame& call) {
  return answer<GetLogRequest>(call, [this](const auto& req) {
    const auto now = scheduler_.wall_now();
    const std::string kind = req.logType == LogEnumType::SecurityLog ? "security" : "diagnostics";
    const std::string name = kind + "-log-" + std::to_string(req.requestId) + ".txt";
    Outcome<GetLogResponse> out{{LogStatusEnumType::Accepted, name}, {}};
    if (maintenance_.log.busy()) out.response.status = LogStatusEnumType::AcceptedCanceled;
    out.then = [this, id = req.requestId, location = req.log.remoteLocation, name, kind, now] {
      log_.info("log {}: uploading {} to {}", id, name, location);
      maintenance_.log.request_id = id;
      maintenance_.upload(scheduler_, maintenance_.log, location, name,
                          sample_log(settings_.id, kind + " log", now), "UploadFailure",
                          [this, id](const std::string& status) {
                            if (!ready()) return;
                            LogStatusNotificationRequest n;
                            from_string(status, n.status);
                            n.requestId = id;
                            messenger_.call(make_call(n));
                          });
    };
    return out;
  });
}

}  // namespace simulator::v16
