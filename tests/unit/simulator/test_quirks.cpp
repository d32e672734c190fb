// Firmware quirks of simulated stations (stack level 0 only, amps only, no 0 A
// limits) for both versions, and the hooks a simulated car uses to draw less
// than the charging profiles offer.
#include <catch2/catch.hpp>

#include "simulator/options.hpp"
#include "simulator/smart_charging.hpp"
#include "support.hpp"
#include "test_v201_support.hpp"

using namespace simulator;
using simtest::Rig;
using simtest::Rig201;

namespace {

ChargingProfile tx_default(int stack, double limit, RateUnit unit) {
  ChargingProfile p;
  p.id = 7;
  p.connector = 1;
  p.purpose = ProfilePurpose::TxDefault;
  p.stack_level = stack;
  p.schedule.unit = unit;
  p.schedule.periods = {SchedulePeriod{0, limit, std::nullopt}};
  return p;
}

std::string set_profile_16(int stack, const char* unit, double limit) {
  return R"({"connectorId":1,"csChargingProfiles":{"chargingProfileId":7,"stackLevel":)" +
         std::to_string(stack) +
         R"(,"chargingProfilePurpose":"TxDefaultProfile","chargingProfileKind":"Absolute",)"
         R"("chargingSchedule":{"chargingRateUnit":")" +
         unit + R"(","chargingSchedulePeriod":[{"startPeriod":0,"limit":)" + std::to_string(limit) +
         "}]}}}";
}

std::string set_profile_201(int stack, const char* unit, double limit) {
  return R"({"evseId":1,"chargingProfile":{"id":7,"stackLevel":)" + std::to_string(stack) +
         R"(,"chargingProfilePurpose":"TxDefaultProfile","chargingProfileKind":"Absolute",)"
         R"("chargingSchedule":[{"id":1,"chargingRateUnit":")" +
         unit + R"(","chargingSchedulePeriod":[{"startPeriod":0,"limit":)" + std::to_string(limit) +
         "}]}]}}";
}

}  // namespace

TEST_CASE("quirk stack0-only rejects a profile at any stack level but 0") {
  ProfileSet set;
  ProfileQuirks q;
  q.stack0_only = true;
  set.set_quirks(q);
  auto problem = set.install(tx_default(1, 16, RateUnit::A), 1, std::nullopt);
  REQUIRE(problem);
  CHECK(problem->find("stack level 0 only") != std::string::npos);
  CHECK_FALSE(set.install(tx_default(0, 16, RateUnit::A), 1, std::nullopt));
  CHECK(set.profiles().size() == 1);
}

TEST_CASE("quirk amps-only rejects a schedule in W and takes one in A") {
  ProfileSet set;
  ProfileQuirks q;
  q.amps_only = true;
  set.set_quirks(q);
  CHECK(set.install(tx_default(0, 5000, RateUnit::W), 1, std::nullopt));
  CHECK_FALSE(set.install(tx_default(0, 16, RateUnit::A), 1, std::nullopt));
}

TEST_CASE("quirk rejects-zero rejects a profile with any period limit of 0") {
  ProfileSet set;
  ProfileQuirks q;
  q.rejects_zero = true;
  set.set_quirks(q);
  auto p = tx_default(0, 16, RateUnit::A);
  p.schedule.periods.push_back(SchedulePeriod{600, 0, std::nullopt});
  CHECK(set.install(p, 1, std::nullopt));
  CHECK(set.install(tx_default(0, 0, RateUnit::A), 1, std::nullopt));
  CHECK_FALSE(set.install(tx_default(0, 6, RateUnit::A), 1, std::nullopt));
}

TEST_CASE("without quirks every valid profile is taken") {
  ProfileSet set;
  CHECK_FALSE(set.quirks().any());
  CHECK_FALSE(set.install(tx_default(3, 0, RateUnit::W), 1, std::nullopt));
}

TEST_CASE("quirk names parse, unknown ones do not, and --quirk repeats") {
  ProfileQuirks q;
  CHECK(add_quirk(q, "stack0-only"));
  CHECK(add_quirk(q, "amps-only"));
  CHECK_FALSE(q.rejects_zero);
  CHECK(add_quirk(q, "rejects-zero"));
  CHECK(q.stack0_only);
  CHECK(q.amps_only);
  CHECK_FALSE(add_quirk(q, "stack-0"));

  std::string error;
  auto o = parse_options(
      {"--url", "ws://h:1/ocpp", "--id", "CP1", "--quirk", "amps-only", "--quirk=rejects-zero"},
      error);
  REQUIRE(o);
  CHECK(o->quirks.amps_only);
  CHECK(o->quirks.rejects_zero);
  CHECK_FALSE(o->quirks.stack0_only);
  CHECK_FALSE(parse_options({"--url", "ws://h:1/ocpp", "--id", "CP1", "--quirk", "nope"}, error));
  CHECK(error.find("stack0-only") != std::string::npos);
  CHECK(usage().find("--quirk") != std::string::npos);
}

TEST_CASE("a 1.6 station with quirks answers SetChargingProfile Rejected") {
  Rig rig(1, [](StationSettings& s) {
    s.quirks.stack0_only = true;
    s.quirks.amps_only = true;
    s.quirks.rejects_zero = true;
  });
  rig.boot();
  CHECK(rig.csms_call("SetChargingProfile", set_profile_16(1, "A", 16)).str("status") ==
        "Rejected");
  CHECK(rig.csms_call("SetChargingProfile", set_profile_16(0, "W", 5000)).str("status") ==
        "Rejected");
  CHECK(rig.csms_call("SetChargingProfile", set_profile_16(0, "A", 0)).str("status") == "Rejected");
  CHECK(rig.csms_call("SetChargingProfile", set_profile_16(0, "A", 16)).str("status") ==
        "Accepted");
}

TEST_CASE("a 2.0.1 station with quirks answers SetChargingProfile Rejected") {
  Rig201 rig(1, [](StationSettings& s) {
    s.quirks.stack0_only = true;
    s.quirks.amps_only = true;
    s.quirks.rejects_zero = true;
  });
  rig.boot();
  CHECK(rig.csms_call("SetChargingProfile", set_profile_201(1, "A", 16)).str("status") ==
        "Rejected");
  CHECK(rig.csms_call("SetChargingProfile", set_profile_201(0, "W", 5000)).str("status") ==
        "Rejected");
  CHECK(rig.csms_call("SetChargingProfile", set_profile_201(0, "A", 0)).str("status") ==
        "Rejected");
  CHECK(rig.csms_call("SetChargingProfile", set_profile_201(0, "A", 16)).str("status") ==
        "Accepted");
}

TEST_CASE("a 1.6 station offers its profile limit and meters what a car draws instead") {
  Rig rig(1, [](StationSettings& s) {
    s.phases = 3;
    s.power_w = 22000;
  });
  rig.boot();
  CHECK_FALSE(rig.station->offered_power_w(1));  // no transaction
  REQUIRE(rig.run(simtest::make_step(StepKind::Start, 1)).ok);
  CHECK(*rig.station->offered_power_w(1) == Approx(22000));
  REQUIRE(rig.csms_call("SetChargingProfile", set_profile_16(0, "A", 10)).str("status") ==
          "Accepted");
  CHECK(*rig.station->offered_power_w(1) == Approx(6900));  // 10 A on 3 phases
  rig.station->set_drawn_power_w(1, 3450);
  const double before = rig.station->energy_wh(1);
  rig.advance(Duration(3600 * 1000), Duration(60 * 1000));
  CHECK(rig.station->energy_wh(1) - before == Approx(3450).epsilon(0.01));
  auto values = rig.calls("MeterValues");
  REQUIRE_FALSE(values.empty());
  bool current_seen = false;
  for (const auto& v : values.back().payload()["meterValue"][0]["sampledValue"].GetArray()) {
    if (std::string(v["measurand"].GetString()) == "Current.Import") {
      CHECK(std::stod(v["value"].GetString()) == Approx(5));  // 3450 W on 3 phases
      current_seen = true;
    }
  }
  CHECK(current_seen);
  rig.station->set_drawn_power_w(1, std::nullopt);  // back to what is offered
  const double mid = rig.station->energy_wh(1);
  rig.advance(Duration(3600 * 1000), Duration(60 * 1000));
  CHECK(rig.station->energy_wh(1) - mid == Approx(6900).epsilon(0.01));
}

TEST_CASE("a 2.0.1 station offers its profile limit and meters what a car draws instead") {
  Rig201 rig(1, [](StationSettings& s) {
    s.phases = 3;
    s.power_w = 22000;
  });
  rig.boot();
  CHECK_FALSE(rig.station->offered_power_w(1));
  REQUIRE(rig.run(simtest::start_step()).ok);
  CHECK(*rig.station->offered_power_w(1) == Approx(22000));
  REQUIRE(rig.csms_call("SetChargingProfile", set_profile_201(0, "A", 16)).str("status") ==
          "Accepted");
  CHECK(*rig.station->offered_power_w(1) == Approx(11040));
  rig.station->set_drawn_power_w(1, 4000);
  simulator::v201::ComponentRef evse{"EVSE", "", 1, 0};
  const auto* power = rig.station->device_model().find(evse, "Power");
  REQUIRE(power);
  CHECK(power->value == "4000.0");  // the device model's Power follows the car
  const double before = rig.station->energy_wh(1);
  rig.advance(Duration(1800 * 1000), Duration(60 * 1000));
  CHECK(rig.station->energy_wh(1) - before == Approx(2000).epsilon(0.01));
}
