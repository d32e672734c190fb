// The OCPP 1.6 configuration keys (OCPP 1.6 §9) a simulated charger offers.
#include <string>
#include <vector>

#include "simulator/v16/charge_point.hpp"

namespace simulator::v16 {
namespace {

const std::vector<std::string> kMeasurands = {
    "Energy.Active.Import.Register", "Power.Active.Import", "Current.Import", "Voltage", "SoC"};

ConfigKey integer(std::string name, std::int64_t value, bool readonly = false,
                  std::int64_t min = 0) {
  ConfigKey k;
  k.name = std::move(name);
  k.value = std::to_string(value);
  k.readonly = readonly;
  k.kind = ValueKind::Integer;
  k.min = min;
  return k;
}

ConfigKey boolean(std::string name, bool value, bool readonly = false) {
  ConfigKey k;
  k.name = std::move(name);
  k.value = value ? "true" : "false";
  k.readonly = readonly;
  k.kind = ValueKind::Boolean;
  return k;
}

ConfigKey list(std::string name, std::string value, std::vector<std::string> allowed,
               bool readonly = false) {
  ConfigKey k;
  k.name = std::move(name);
  k.value = std::move(value);
  k.readonly = readonly;
  k.kind = ValueKind::List;
  k.allowed = std::move(allowed);
  return k;
}

}  // namespace

ConfigStore default_configuration(const StationSettings& settings) {
  ConfigStore c;
  // Core profile. AllowOfflineTxForUnknownId defaults to true (the spec's
  // default is false) so scenarios can start sessions while offline.
  c.define(boolean("AllowOfflineTxForUnknownId", true));
  c.define(boolean("AuthorizationCacheEnabled", true));
  c.define(boolean("AuthorizeRemoteTxRequests", false));
  c.define(integer("ClockAlignedDataInterval", 0));
  c.define(integer("ConnectionTimeOut", 60));
  c.define(list("ConnectorPhaseRotation", "NotApplicable", {}));
  c.define(integer("GetConfigurationMaxKeys", 100, true));
  c.define(integer("HeartbeatInterval", settings.heartbeat_s.value_or(300)));
  c.define(boolean("LocalAuthorizeOffline", true));
  c.define(boolean("LocalPreAuthorize", false));
  // Local Auth List Management and Reservation profiles.
  c.define(boolean("LocalAuthListEnabled", true));
  c.define(integer("LocalAuthListMaxLength", 100, true));
  c.define(integer("SendLocalListMaxLength", 100, true));
  c.define(boolean("ReserveConnectorZeroSupported", false, true));
  c.define(list("MeterValuesAlignedData", "Energy.Active.Import.Register", kMeasurands));
  c.define(list("MeterValuesSampledData",
                "Energy.Active.Import.Register,Power.Active.Import,Current.Import", kMeasurands));
  c.define(integer("MeterValueSampleInterval", settings.meter_interval_s.value_or(60)));
  c.define(integer("NumberOfConnectors", settings.connectors, true));
  c.define(integer("ResetRetries", 1));
  c.define(boolean("StopTransactionOnEVSideDisconnect", true));
  c.define(boolean("StopTransactionOnInvalidId", true));
  c.define(list("StopTxnAlignedData", "", kMeasurands));
  c.define(list("StopTxnSampledData", "Energy.Active.Import.Register", kMeasurands));
  c.define(list("SupportedFeatureProfiles",
                "Core,RemoteTrigger,SmartCharging,LocalAuthListManagement,Reservation", {}, true));
  c.define(integer("TransactionMessageAttempts", 3));
  c.define(integer("TransactionMessageRetryInterval", 10));
  c.define(boolean("UnlockConnectorOnEVSideDisconnect", true));
  c.define(integer("WebSocketPingInterval", 0));
  // Smart Charging limits: read-only facts about the hardware.
  c.define(integer("ChargeProfileMaxStackLevel", 10, true));
  c.define(list("ChargingScheduleAllowedChargingRateUnit", "Current,Power", {}, true));
  c.define(integer("ChargingScheduleMaxPeriods", 24, true));
  c.define(integer("MaxChargingProfilesInstalled", 10, true));
  // Security whitepaper. SecurityProfile changes go through the station (never
  // lower, a reconnection); AuthorizationKey is write-only and not kept here.
  ConfigKey profile = integer("SecurityProfile", settings.security_profile);
  profile.max = 3;
  c.define(profile);
  return c;
}

}  // namespace simulator::v16
