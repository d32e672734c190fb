// OCPP 1.6 status notifications of firmware updates, diagnostics and logs:
// each is kept as a StatusReport (and with the notifications) before the answer.
#include "handlers/firmware_support.hpp"
#include "handlers/v16/firmware.hpp"
#include "ocpp/v16/codec.hpp"

namespace csms::v16 {

namespace w = ocpp::v16;
using storage::StatusTopic;

void register_firmware_handlers(Router& router, Services& sv) {
  handle_status_report<w::FirmwareStatusNotificationRequest>(
      router, sv, StatusTopic::Firmware,
      [](const w::FirmwareStatusNotificationRequest& req, storage::StatusReport& r) {
        r.status = std::string(w::to_string(req.status));
      });
  handle_status_report<w::SignedFirmwareStatusNotificationRequest>(
      router, sv, StatusTopic::Firmware,
      [](const w::SignedFirmwareStatusNotificationRequest& req, storage::StatusReport& r) {
        r.status = std::string(w::to_string(req.status));
        r.request_id = req.requestId;
      });
  handle_status_report<w::DiagnosticsStatusNotificationRequest>(
      router, sv, StatusTopic::Diagnostics,
      [](const w::DiagnosticsStatusNotificationRequest& req, storage::StatusReport& r) {
        r.status = std::string(w::to_string(req.status));
      });
  handle_status_report<w::LogStatusNotificationRequest>(
      router, sv, StatusTopic::Log,
      [](const w::LogStatusNotificationRequest& req, storage::StatusReport& r) {
        r.status = std::string(w::to_string(req.status));
        r.request_id = req.requestId;
      });
}

}  // namespace csms::v16
