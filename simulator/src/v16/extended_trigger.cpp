// ExtendedTriggerMessage (1.6 security extension): the plain trigger's
// messages, plus the security log's status and a certificate signing request;
// a firmware status goes as SignedFirmwareStatusNotification.
#include "ocpp/v16/codec.hpp"
#include "rpc.hpp"
#include "simulator/v16/charge_point.hpp"

namespace simulator::v16 {

using namespace ocpp::v16;

CallAnswer ChargePoint::on_extended_trigger_message(const ocpp::Frame& call) {
  return simulator::answer<ExtendedTriggerMessageRequest>(
      call, ocpp::Version::v16, [this](const auto& req) {
        Outcome<ExtendedTriggerMessageResponse> out{{TriggerMessageStatusEnumType::Rejected}, {}};
        const std::int64_t n = req.connectorId.value_or(-1);
        if (req.connectorId && (n < 0 || n > connector_count())) return out;
        out.response.status = TriggerMessageStatusEnumType::Accepted;
        switch (req.requestedMessage) {
          case MessageTriggerEnumType::BootNotification:
            out.then = triggered(MessageTrigger::BootNotification, n);
            break;
          case MessageTriggerEnumType::Heartbeat:
            out.then = triggered(MessageTrigger::Heartbeat, n);
            break;
          case MessageTriggerEnumType::MeterValues:
            out.then = triggered(MessageTrigger::MeterValues, n);
            break;
          case MessageTriggerEnumType::StatusNotification:
            out.then = triggered(MessageTrigger::StatusNotification, n);
            break;
          case MessageTriggerEnumType::FirmwareStatusNotification:
            out.then = [this] { report_firmware_status(); };
            break;
          case MessageTriggerEnumType::LogStatusNotification:
            out.then = [this] { report_log_status(); };
            break;
          case MessageTriggerEnumType::SignChargePointCertificate:
            out.then = [this] { certificates_.send_sign_certificate(); };
            break;
        }
        return out;
      });
}

}  // namespace simulator::v16
