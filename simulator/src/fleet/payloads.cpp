// Hand-built payloads: fmt into a reused string is several times cheaper than
// building generated message structs and serializing them, and the fleet's
// texts are fixed apart from a few numbers (tests check them against the schemas).
#include <iterator>

#include <fmt/format.h>

#include "simulator/fleet.hpp"

namespace simulator::fleet::payload {
namespace {

constexpr std::string_view kVendor = "ocpp-sim";
constexpr std::string_view kModel = "FLEET";
constexpr std::string_view kFirmware = "0.1.0";
constexpr std::size_t kMaxSerial = 25;  // both versions' serialNumber limit

}  // namespace

void boot_v16(std::string& out, std::string_view id) {
  auto it = std::back_inserter(out);
  fmt::format_to(it, R"({{"chargePointVendor":"{}","chargePointModel":"{}",)", kVendor, kModel);
  if (id.size() <= kMaxSerial) fmt::format_to(it, R"("chargePointSerialNumber":"{}",)", id);
  fmt::format_to(it, R"("firmwareVersion":"{}"}})", kFirmware);
}

void boot_v201(std::string& out, std::string_view id) {
  auto it = std::back_inserter(out);
  fmt::format_to(it, R"({{"reason":"PowerUp","chargingStation":{{"model":"{}","vendorName":"{}",)",
                 kModel, kVendor);
  if (id.size() <= kMaxSerial) fmt::format_to(it, R"("serialNumber":"{}",)", id);
  fmt::format_to(it, R"("firmwareVersion":"{}"}}}})", kFirmware);
}

void status_v16(std::string& out, std::string_view status, std::string_view timestamp) {
  fmt::format_to(std::back_inserter(out),
                 R"({{"connectorId":1,"errorCode":"NoError","status":"{}","timestamp":"{}"}})",
                 status, timestamp);
}

void status_v201(std::string& out, std::string_view status, std::string_view timestamp) {
  fmt::format_to(std::back_inserter(out),
                 R"({{"timestamp":"{}","connectorStatus":"{}","evseId":1,"connectorId":1}})",
                 timestamp, status);
}

void authorize_v16(std::string& out, std::string_view id_tag) {
  fmt::format_to(std::back_inserter(out), R"({{"idTag":"{}"}})", id_tag);
}

void authorize_v201(std::string& out, std::string_view id_tag) {
  fmt::format_to(std::back_inserter(out), R"({{"idToken":{{"idToken":"{}","type":"ISO14443"}}}})",
                 id_tag);
}

void start_v16(std::string& out, std::string_view id_tag, std::int64_t meter_wh,
               std::string_view timestamp) {
  fmt::format_to(std::back_inserter(out),
                 R"({{"connectorId":1,"idTag":"{}","meterStart":{},"timestamp":"{}"}})", id_tag,
                 meter_wh, timestamp);
}

void meter_v16(std::string& out, std::int64_t transaction_id, std::int64_t energy_wh,
               double power_w, std::string_view timestamp) {
  fmt::format_to(
      std::back_inserter(out),
      R"({{"connectorId":1,"transactionId":{},"meterValue":[{{"timestamp":"{}","sampledValue":[)"
      R"({{"value":"{}","context":"Sample.Periodic","measurand":"Energy.Active.Import.Register","unit":"Wh"}},)"
      R"({{"value":"{:.0f}","context":"Sample.Periodic","measurand":"Power.Active.Import","unit":"W"}}]}}]}})",
      transaction_id, timestamp, energy_wh, power_w);
}

void stop_v16(std::string& out, std::int64_t transaction_id, std::string_view id_tag,
              std::int64_t meter_wh, std::string_view timestamp) {
  fmt::format_to(
      std::back_inserter(out),
      R"({{"transactionId":{},"idTag":"{}","meterStop":{},"timestamp":"{}","reason":"Local"}})",
      transaction_id, id_tag, meter_wh, timestamp);
}

void transaction_event_v201(std::string& out, std::string_view event, std::string_view tx_id,
                            int seq_no, std::string_view id_tag, std::int64_t energy_wh,
                            double power_w, std::string_view timestamp) {
  auto it = std::back_inserter(out);
  const bool started = event == "Started";
  const bool ended = event == "Ended";
  const std::string_view trigger =
      started ? "Authorized" : (ended ? "StopAuthorized" : "MeterValuePeriodic");
  const std::string_view context =
      started ? "Transaction.Begin" : (ended ? "Transaction.End" : "Sample.Periodic");
  fmt::format_to(it,
                 R"({{"eventType":"{}","timestamp":"{}","triggerReason":"{}","seqNo":{},)"
                 R"("transactionInfo":{{"transactionId":"{}",)",
                 event, timestamp, trigger, seq_no, tx_id);
  if (ended) {
    fmt::format_to(it, R"("stoppedReason":"Local"}},)");
  } else {
    fmt::format_to(it, R"("chargingState":"Charging"}},)");
  }
  if (started || ended) {
    fmt::format_to(it, R"("idToken":{{"idToken":"{}","type":"ISO14443"}},)", id_tag);
  }
  if (started) fmt::format_to(it, R"("evse":{{"id":1,"connectorId":1}},)");
  fmt::format_to(
      it,
      R"("meterValue":[{{"timestamp":"{}","sampledValue":[)"
      R"({{"value":{},"context":"{}","measurand":"Energy.Active.Import.Register","unitOfMeasure":{{"unit":"Wh"}}}},)"
      R"({{"value":{:.0f},"context":"{}","measurand":"Power.Active.Import","unitOfMeasure":{{"unit":"W"}}}}]}}]}})",
      timestamp, energy_wh, context, ended ? 0.0 : power_w, context);
}

}  // namespace simulator::fleet::payload
