#include <catch2/catch.hpp>

#include "ocpp/common/security_events.hpp"

TEST_CASE("security events the specs mark critical are critical in both versions' names",
          "[security-events]") {
  for (const char* type : {"FirmwareUpdated", "SettingSystemTime", "StartupOfTheDevice",
                           "ResetOrReboot", "SecurityLogWasCleared", "MemoryExhaustion",
                           "TamperDetectionActivated", "MaintenanceLoginAccepted"}) {
    INFO(type);
    CHECK(ocpp::is_critical_security_event(type));
    CHECK(ocpp::is_known_security_event(type));
  }
  for (const char* type :
       {"FailedToAuthenticateAtCsms", "FailedToAuthenticateAtCentralSystem", "InvalidMessages",
        "InvalidCentralSystemCertificate", "InvalidCsmsCertificate", "InvalidTLSVersion"}) {
    INFO(type);
    CHECK_FALSE(ocpp::is_critical_security_event(type));
    CHECK(ocpp::is_known_security_event(type));
  }
}

TEST_CASE("vendor-specific security events are known to neither list and not critical",
          "[security-events]") {
  CHECK_FALSE(ocpp::is_known_security_event("AcmeDoorOpened"));
  CHECK_FALSE(ocpp::is_critical_security_event("AcmeDoorOpened"));
  CHECK_FALSE(ocpp::is_critical_security_event("tamperdetectionactivated"));
}
