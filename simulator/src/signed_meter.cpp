#include "simulator/signed_meter.hpp"

#include <stdexcept>

#include "ocpp/ocmf.hpp"

namespace simulator {

SignedMeter::SignedMeter(std::string station_id, const std::string& private_key_pem, bool tamper)
    : station_id_(std::move(station_id)), tamper_(tamper) {
  if (private_key_pem.empty()) {
    auto pair = ocpp::ocmf::generate_key_pair();
    private_key_pem_ = std::move(pair.private_key_pem);
    public_key_hex_ = std::move(pair.public_key_hex);
  } else {
    std::string error;
    auto hex = ocpp::ocmf::public_key_hex_of(private_key_pem, &error);
    if (!hex) throw std::invalid_argument(error);
    private_key_pem_ = private_key_pem;
    public_key_hex_ = std::move(*hex);
  }
  public_key_base64_ = ocpp::ocmf::base64_encode(*ocpp::ocmf::hex_decode(public_key_hex_));
}

std::string SignedMeter::meter_serial(int connector) const {
  return "SIM-" + station_id_ + "-" + std::to_string(connector);
}

std::string SignedMeter::reading(int connector, const std::string& id_tag,
                                 const ocpp::DateTime& time, Kind kind, std::int64_t register_wh) {
  // Periodic readings are OCMF's "C" (charging, intermediate); "T" would mean a
  // tariff change.
  const char tx = kind == Kind::Begin ? 'B' : kind == Kind::End ? 'E' : 'C';
  const std::int64_t page = ++pages_[connector];
  const std::string serial = meter_serial(connector);
  const std::string when = time.to_string();
  const std::string payload =
      ocpp::ocmf::reading_payload(serial, page, id_tag, when, tx, static_cast<double>(register_wh));
  std::string document = ocpp::ocmf::sign(payload, private_key_pem_);
  if (tamper_ && kind == Kind::End) {
    // The signature stays that of the true payload; the payload sent claims 1 kWh more.
    const std::string claimed = ocpp::ocmf::reading_payload(
        serial, page, id_tag, when, tx, static_cast<double>(register_wh) + 1000.0);
    const auto signature = document.substr(document.rfind('|'));
    document = "OCMF|" + claimed + signature;
  }
  return document;
}

}  // namespace simulator
