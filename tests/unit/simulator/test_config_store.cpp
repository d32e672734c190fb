// Configuration store rules, and the 1.6 key set built on it.
#include <catch2/catch.hpp>

#include "simulator/config_store.hpp"
#include "simulator/v16/charge_point.hpp"

using simulator::ConfigKey;
using simulator::ConfigResult;
using simulator::ConfigStore;
using simulator::ValueKind;

namespace {

ConfigKey key(const char* name, const char* value, bool readonly, ValueKind kind) {
  ConfigKey k;
  k.name = name;
  k.value = value;
  k.readonly = readonly;
  k.kind = kind;
  return k;
}

ConfigStore sample_store() {
  ConfigStore s;
  s.define(key("HeartbeatInterval", "300", false, ValueKind::Integer));
  s.define(key("NumberOfConnectors", "2", true, ValueKind::Integer));
  s.define(key("LocalPreAuthorize", "false", false, ValueKind::Boolean));
  ConfigKey l =
      key("MeterValuesSampledData", "Energy.Active.Import.Register", false, ValueKind::List);
  l.allowed = {"Energy.Active.Import.Register", "SoC"};
  s.define(l);
  return s;
}

}  // namespace

TEST_CASE("config store: a known writable key with a valid value is accepted and applied") {
  auto s = sample_store();
  CHECK(s.set("HeartbeatInterval", "60") == ConfigResult::Accepted);
  CHECK(s.get_int("HeartbeatInterval", 0) == 60);
}

TEST_CASE("config store: a readonly key is rejected and unchanged") {
  auto s = sample_store();
  CHECK(s.set("NumberOfConnectors", "5") == ConfigResult::Rejected);
  CHECK(s.get("NumberOfConnectors") == "2");
}

TEST_CASE("config store: an unknown key is NotSupported") {
  auto s = sample_store();
  CHECK(s.set("NoSuchKey", "1") == ConfigResult::NotSupported);
  CHECK_FALSE(s.get("NoSuchKey"));
}

TEST_CASE("config store: invalid values are rejected") {
  auto s = sample_store();
  CHECK(s.set("HeartbeatInterval", "abc") == ConfigResult::Rejected);
  CHECK(s.set("HeartbeatInterval", "-5") == ConfigResult::Rejected);
  CHECK(s.set("HeartbeatInterval", "1.5") == ConfigResult::Rejected);
  CHECK(s.set("LocalPreAuthorize", "yes") == ConfigResult::Rejected);
  CHECK(s.set("MeterValuesSampledData", "Energy.Active.Import.Register,Temperature") ==
        ConfigResult::Rejected);
  CHECK(s.get("HeartbeatInterval") == "300");
}

TEST_CASE("config store: keys match case-insensitively and values are normalized") {
  auto s = sample_store();
  CHECK(s.set("localpreauthorize", "TRUE") == ConfigResult::Accepted);
  CHECK(s.get("LocalPreAuthorize") == "true");
  CHECK(s.get_bool("LocalPreAuthorize", false));
  CHECK(s.set("MeterValuesSampledData", " SoC , Energy.Active.Import.Register ") ==
        ConfigResult::Accepted);
  CHECK(s.get("MeterValuesSampledData") == "SoC,Energy.Active.Import.Register");
  CHECK(s.get_list("MeterValuesSampledData").size() == 2);
}

TEST_CASE("config store: force ignores readonly but still validates") {
  auto s = sample_store();
  CHECK(s.force("NumberOfConnectors", "3"));
  CHECK(s.get_int("NumberOfConnectors", 0) == 3);
  CHECK_FALSE(s.force("NumberOfConnectors", "x"));
  CHECK_FALSE(s.force("Unknown", "1"));
}

TEST_CASE("config store: the 1.6 charger has the Core keys with the right access") {
  simulator::StationSettings settings;
  settings.connectors = 3;
  settings.meter_interval_s = 5;
  auto c = simulator::v16::default_configuration(settings);
  for (const char* rw :
       {"HeartbeatInterval", "MeterValueSampleInterval", "AuthorizeRemoteTxRequests",
        "ConnectionTimeOut", "LocalPreAuthorize", "MeterValuesSampledData"}) {
    INFO(rw);
    REQUIRE(c.find(rw) != nullptr);
    CHECK_FALSE(c.find(rw)->readonly);
  }
  for (const char* ro :
       {"NumberOfConnectors", "SupportedFeatureProfiles", "ChargeProfileMaxStackLevel"}) {
    INFO(ro);
    REQUIRE(c.find(ro) != nullptr);
    CHECK(c.find(ro)->readonly);
  }
  CHECK(c.get("NumberOfConnectors") == "3");
  CHECK(c.get("MeterValueSampleInterval") == "5");
  CHECK(c.get_list("SupportedFeatureProfiles").front() == "Core");
}
