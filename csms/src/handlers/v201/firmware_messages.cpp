// OCPP 2.0.1 status notifications of firmware updates, firmware publishing and
// log uploads: each is kept as a StatusReport (and with the notifications)
// before the answer.
#include "handlers/firmware_support.hpp"
#include "handlers/v201/firmware.hpp"
#include "ocpp/v201/codec.hpp"

namespace csms::v201 {

namespace w = ocpp::v201;
using storage::StatusTopic;

void register_firmware_handlers(Router& router, Services& sv) {
  handle_status_report<w::FirmwareStatusNotificationRequest>(
      router, sv, StatusTopic::Firmware,
      [](const w::FirmwareStatusNotificationRequest& req, storage::StatusReport& r) {
        r.status = std::string(w::to_string(req.status));
        r.request_id = req.requestId;
      });
  handle_status_report<w::PublishFirmwareStatusNotificationRequest>(
      router, sv, StatusTopic::Publish,
      [](const w::PublishFirmwareStatusNotificationRequest& req, storage::StatusReport& r) {
        r.status = std::string(w::to_string(req.status));
        r.request_id = req.requestId;
        // Where the Local Controller publishes the firmware (Published only).
        for (const auto& location : req.location.value_or(std::vector<std::string>{}))
          r.detail += (r.detail.empty() ? "" : " ") + location;
      });
  handle_status_report<w::LogStatusNotificationRequest>(
      router, sv, StatusTopic::Log,
      [](const w::LogStatusNotificationRequest& req, storage::StatusReport& r) {
        r.status = std::string(w::to_string(req.status));
        r.request_id = req.requestId;
      });
}

}  // namespace csms::v201
