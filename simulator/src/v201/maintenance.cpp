// A 2.0.1 station's firmware updates (UpdateFirmware, signed or not), firmware
// publishing as a Local Controller (PublishFirmware/UnpublishFirmware) and log
// uploads (GetLog), with their status notifications.
#include "ocpp/v201/codec.hpp"
#include "rpc.hpp"
#include "simulator/v201/charging_station.hpp"

namespace simulator::v201 {

using namespace ocpp::v201;

namespace {

template <typename Request, typename Fn>
CallAnswer answer(const ocpp::Frame& call, Fn&& fn) {
  return simulator::answer<Request>(call, ocpp::Version::v201, std::forward<Fn>(fn));
}

}  // namespace

void ChargingStation::report_firmware_status(bool triggered) {
  FirmwareStatusNotificationRequest req;
  if (!from_string(maintenance_.firmware.status, req.status))
    req.status = FirmwareStatusEnumType::Idle;
  // Idle names no request (L01.FR.20: a triggered Idle carries no requestId).
  if (maintenance_.firmware.busy()) req.requestId = maintenance_.firmware.request_id;
  if (triggered) return send_triggered(make_call(req));
  if (ready()) messenger_.call(make_call(req));
}

void ChargingStation::report_log_status(bool triggered) {
  LogStatusNotificationRequest req;
  if (!from_string(maintenance_.log.status, req.status)) req.status = UploadLogStatusEnumType::Idle;
  if (maintenance_.log.busy()) req.requestId = maintenance_.log.request_id;
  if (triggered) return send_triggered(make_call(req));
  if (ready()) messenger_.call(make_call(req));
}

void ChargingStation::report_publish_status(bool triggered) {
  PublishFirmwareStatusNotificationRequest req;
  if (!from_string(maintenance_.publish.status, req.status))
    req.status = PublishFirmwareStatusEnumType::Idle;
  if (maintenance_.publish.busy()) req.requestId = maintenance_.publish.request_id;
  if (req.status == PublishFirmwareStatusEnumType::Published)
    req.location = maintenance_.published_locations;
  if (triggered) return send_triggered(make_call(req));
  if (ready()) messenger_.call(make_call(req));
}

CallAnswer ChargingStation::on_update_firmware(const ocpp::Frame& call) {
  return answer<UpdateFirmwareRequest>(call, [this](const auto& req) {
    Outcome<UpdateFirmwareResponse> out{{}, {}};
    out.response.status = UpdateFirmwareStatusEnumType::Accepted;
    // L01.FR.24: a new request cancels the one still going.
    if (maintenance_.firmware.busy())
      out.response.status = UpdateFirmwareStatusEnumType::AcceptedCanceled;
    out.then = [this, id = req.requestId, firmware = req.firmware] {
      log_.info("firmware update {}: download at {}", id, firmware.retrieveDateTime.to_string());
      maintenance_.firmware.request_id = id;
      const bool is_signed = firmware.signature.has_value();
      maintenance_.play(
          scheduler_, maintenance_.firmware,
          Maintenance::firmware_steps(scheduler_.wall_now(), firmware.retrieveDateTime,
                                      firmware.installDateTime, is_signed, true),
          [this](const std::string&) { report_firmware_status(false); }, true);
    };
    return out;
  });
}

CallAnswer ChargingStation::on_publish_firmware(const ocpp::Frame& call) {
  return answer<PublishFirmwareRequest>(call, [this](const auto& req) {
    Outcome<PublishFirmwareResponse> out{{}, {}};
    out.response.status = GenericStatusEnumType::Accepted;
    out.then = [this, id = req.requestId, checksum = req.checksum, location = req.location] {
      log_.info("publish firmware {} from {}", checksum, location);
      maintenance_.publish.request_id = id;
      maintenance_.published_checksum = checksum;
      // Where this Local Controller serves it to the stations behind it.
      maintenance_.published_locations = {"http://" + settings_.id + ".local/firmware/" + checksum};
      const auto step = Maintenance::kStep;
      maintenance_.play(
          scheduler_, maintenance_.publish,
          {{step, "Downloading"},
           {step, "Downloaded"},
           {step, "ChecksumVerified"},
           {step, "Published"}},
          [this](const std::string&) { report_publish_status(false); }, false);
    };
    return out;
  });
}

CallAnswer ChargingStation::on_unpublish_firmware(const ocpp::Frame& call) {
  return answer<UnpublishFirmwareRequest>(call, [this](const auto& req) {
    Outcome<UnpublishFirmwareResponse> out{{}, {}};
    const auto& publish = maintenance_.publish;
    if (maintenance_.published_checksum.empty() ||
        maintenance_.published_checksum != req.checksum) {
      out.response.status = UnpublishFirmwareStatusEnumType::NoFirmware;
    } else if (publish.status != "Published") {
      out.response.status = UnpublishFirmwareStatusEnumType::DownloadOngoing;
    } else {
      out.response.status = UnpublishFirmwareStatusEnumType::Unpublished;
      out.then = [this] {
        ++maintenance_.publish.run;
        maintenance_.publish.status = "Idle";
        maintenance_.publish.request_id.reset();
        maintenance_.published_checksum.clear();
        maintenance_.published_locations.clear();
      };
    }
    return out;
  });
}

CallAnswer ChargingStation::on_get_log(const ocpp::Frame& call) {
  return answer<GetLogRequest>(call, [this](const auto& req) {
    const std::string kind = req.logType == LogEnumType::SecurityLog ? "security" : "diagnostics";
    const std::string name = kind + "-log-" + std::to_string(req.requestId) + ".txt";
    Outcome<GetLogResponse> out{{}, {}};
    out.response.status = LogStatusEnumType::Accepted;
    out.response.filename = name;
    // N01.FR.12: a new request cancels an upload still going.
    if (maintenance_.log.busy()) out.response.status = LogStatusEnumType::AcceptedCanceled;
    out.then = [this, id = req.requestId, location = req.log.remoteLocation, name, kind] {
      log_.info("log {}: uploading {} to {}", id, name, location);
      maintenance_.log.request_id = id;
      maintenance_.upload(scheduler_, maintenance_.log, location, name,
                          sample_log(settings_.id, kind + " log", scheduler_.wall_now()),
                          "UploadFailure", [this, id](const std::string& status) {
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

}  // namespace simulator::v201
