#include "ocpp/common/security_events.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace ocpp {

namespace {

// (type, critical). Both versions' names: 2.0.1 says Csms/ChargingStation where
// the 1.6 whitepaper says CentralSystem/ChargePoint.
constexpr std::array<std::pair<std::string_view, bool>, 24> kEvents{{
    {"FirmwareUpdated", true},
    {"FailedToAuthenticateAtCsms", false},
    {"FailedToAuthenticateAtCentralSystem", false},
    {"CsmsFailedToAuthenticate", false},
    {"CentralSystemFailedToAuthenticate", false},
    {"SettingSystemTime", true},
    {"StartupOfTheDevice", true},
    {"ResetOrReboot", true},
    {"SecurityLogWasCleared", true},
    {"ReconfigurationOfSecurityParameters", false},
    {"MemoryExhaustion", true},
    {"InvalidMessages", false},
    {"AttemptedReplayAttacks", false},
    {"TamperDetectionActivated", true},
    {"InvalidFirmwareSignature", false},
    {"InvalidFirmwareSigningCertificate", false},
    {"InvalidCsmsCertificate", false},
    {"InvalidCentralSystemCertificate", false},
    {"InvalidChargingStationCertificate", false},
    {"InvalidChargePointCertificate", false},
    {"InvalidTLSVersion", false},
    {"InvalidTLSCipherSuite", false},
    {"MaintenanceLoginAccepted", true},
    {"MaintenanceLoginFailed", false},
}};

const std::pair<std::string_view, bool>* find(std::string_view type) {
  auto it = std::find_if(kEvents.begin(), kEvents.end(),
                         [type](const auto& e) { return e.first == type; });
  return it == kEvents.end() ? nullptr : &*it;
}

}  // namespace

bool is_critical_security_event(std::string_view type) {
  const auto* e = find(type);
  return e != nullptr && e->second;
}

bool is_known_security_event(std::string_view type) {
  return find(type) != nullptr;
}

}  // namespace ocpp
