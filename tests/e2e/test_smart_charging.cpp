// Smart charging end to end, for OCPP 1.6 and 2.0.1: csmsctl set-profile,
// clear-profile, composite-schedule and (2.0.1) get-profiles against the real
// csms and ocpp-sim; the profiles the server stores, and the simulated meter
// following the limit.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <functional>
#include <thread>

#include "support/harness.hpp"

using namespace e2e;

namespace {

std::string str(const rapidjson::Value& v) {
  return v.IsString() ? v.GetString() : "";
}

double num(const rapidjson::Value& v) {
  if (v.IsNumber()) return v.GetDouble();
  if (v.IsString()) return std::strtod(v.GetString(), nullptr);
  return -1;
}

/// One OCPP version as the tests drive it.
struct Flavour {
  const char* station;
  bool v201;
  const char* max_purpose;  ///< How the station's version spells the max profile.
};

constexpr Flavour k16{"SC16", false, "ChargePointMaxProfile"};
constexpr Flavour k201{"SC201", true, "ChargingStationMaxProfile"};

std::unique_ptr<Sim> start_sim(Csms& csms, const Flavour& f) {
  REQUIRE(csms.ctl({"station", "add", f.station}).code == 0);
  REQUIRE(csms.ctl({"idtag", "add", "SCTAG"}).code == 0);
  std::vector<std::string> args = {"--meter-interval", "1"};
  if (f.v201) args.insert(args.end(), {"--ocpp", "2.0.1"});
  auto sim = std::make_unique<Sim>(csms, f.station, args);
  REQUIRE(sim->wait_event("boot", 20s, {{"status", "\"Accepted\""}}));
  return sim;
}

// Starts a transaction on connector/EVSE 1 remotely; returns its id as csmsctl names it.
std::string remote_start(Csms& csms, Sim& sim, const Flavour& f) {
  auto start = csms.ctl_json({"cmd", f.station, "remote-start", f.v201 ? "--evse" : "--connector",
                              "1", "--idtag", "SCTAG"});
  REQUIRE(str(start["response"]["status"]) == "Accepted");
  auto started = sim.wait_event("transaction_started", 20s);
  REQUIRE(started);
  const auto& id = (*started)["transactionId"];
  return id.IsString() ? id.GetString() : std::to_string(id.GetInt64());
}

// The transaction's last stored Power.Active.Import reading in W, or -1.
double last_power(Csms& csms, const Flavour& f, const std::string& tx) {
  auto shown = csms.ctl_json({"tx", "show", tx, "--station", f.station});
  double last = -1;
  for (const auto& s : shown["samples"].GetArray()) {
    if (str(s["measurand"]) == "Power.Active.Import") last = num(s["value"]);
  }
  return last;
}

// The first limit of a composite-schedule answer, as either version carries it.
double composite_limit(const rapidjson::Value& response, bool v201) {
  const auto& schedule = v201 ? response["schedule"] : response["chargingSchedule"];
  return num(schedule["chargingSchedulePeriod"][0]["limit"]);
}

rapidjson::Document profiles(Csms& csms, const Flavour& f) {
  return csms.ctl_json({"station", "profiles", f.station});
}

void set_limit_follow_meter_and_clear(const Flavour& f) {
  TempDir dir;
  Csms csms(dir);
  auto sim = start_sim(csms, f);
  const std::string tx = remote_start(csms, *sim, f);
  REQUIRE(eventually([&] { return last_power(csms, f, tx) == Approx(7400); }));

  // 16 A on the simulator's single 230 V phase: 3680 W.
  auto set = csms.ctl_json({"cmd", f.station, "set-profile", "--connector", "1", "--limit", "16",
                            "--unit", "A", "--purpose", "TxProfile", "--stack-level", "2"});
  CHECK(str(set["action"]) == "SetChargingProfile");
  CHECK(str(set["response"]["status"]) == "Accepted");
  REQUIRE(set["response"]["chargingProfileId"].IsInt64());
  const std::int64_t id = set["response"]["chargingProfileId"].GetInt64();

  auto stored = profiles(csms, f);
  REQUIRE(stored.Size() == 1);
  CHECK(stored[0]["id"].GetInt64() == id);
  CHECK(stored[0]["connectorId"].GetInt() == 1);
  CHECK(str(stored[0]["purpose"]) == "TxProfile");
  CHECK(stored[0]["stackLevel"].GetInt() == 2);
  CHECK(str(stored[0]["kind"]) == "Absolute");
  CHECK(stored[0]["limit"].GetDouble() == Approx(16));
  CHECK(str(stored[0]["unit"]) == "A");
  CHECK(str(stored[0]["transactionId"]) == tx);
  CHECK(stored[0]["accepted"].GetBool());
  auto table = csms.ctl({"station", "profiles", f.station});
  CHECK(table.out.find("TxProfile") != std::string::npos);

  CHECK(eventually([&] { return last_power(csms, f, tx) == Approx(3680); }));

  auto composite = csms.ctl_json(
      {"cmd", f.station, "composite-schedule", "--connector", "1", "--duration", "600"});
  CHECK(str(composite["action"]) == "GetCompositeSchedule");
  CHECK(str(composite["response"]["status"]) == "Accepted");
  CHECK(composite_limit(composite["response"], f.v201) == Approx(3680));
  auto in_amps = csms.ctl_json({"cmd", f.station, "composite-schedule", "--connector", "1",
                                "--duration", "600", "--unit", "A"});
  CHECK(composite_limit(in_amps["response"], f.v201) == Approx(16));

  if (f.v201) {
    // The report after get-profiles is stored: the row is rewritten from it.
    const std::string before = str(profiles(csms, f)[0]["updatedAt"]);
    auto get = csms.ctl_json({"cmd", f.station, "get-profiles", "--connector", "1"});
    CHECK(str(get["action"]) == "GetChargingProfiles");
    CHECK(str(get["response"]["status"]) == "Accepted");
    CHECK(get["response"]["requestId"].IsInt64());
    CHECK(eventually([&] {
      auto now = profiles(csms, f);
      return now.Size() == 1 && str(now[0]["updatedAt"]) != before;
    }));
    auto after = profiles(csms, f);
    REQUIRE(after.Size() == 1);
    CHECK(after[0]["id"].GetInt64() == id);
    CHECK(str(after[0]["source"]) == "CSO");
    CHECK(after[0]["limit"].GetDouble() == Approx(16));
  }

  auto clear = csms.ctl_json({"cmd", f.station, "clear-profile", "--id", std::to_string(id)});
  CHECK(str(clear["action"]) == "ClearChargingProfile");
  CHECK(str(clear["response"]["status"]) == "Accepted");
  CHECK(profiles(csms, f).Size() == 0);
  // The simulator forgot it too: the limit is the station's own again.
  auto unlimited = csms.ctl_json(
      {"cmd", f.station, "composite-schedule", "--connector", "1", "--duration", "600"});
  CHECK(composite_limit(unlimited["response"], f.v201) == Approx(7400));
  CHECK(eventually([&] { return last_power(csms, f, tx) == Approx(7400); }));
  auto again = csms.ctl_json({"cmd", f.station, "clear-profile", "--id", std::to_string(id)});
  CHECK(str(again["response"]["status"]) == "Unknown");
  if (f.v201) {
    auto none = csms.ctl_json({"cmd", f.station, "get-profiles"});
    CHECK(str(none["response"]["status"]) == "NoProfiles");
  }

  // A TxProfile ends with its transaction: on the station and in the CSMS's record.
  auto tx_profile = csms.ctl_json({"cmd", f.station, "set-profile", "--connector", "1", "--limit",
                                   "10", "--unit", "A", "--purpose", "TxProfile"});
  CHECK(str(tx_profile["response"]["status"]) == "Accepted");
  CHECK(profiles(csms, f).Size() == 1);
  auto stop = csms.ctl_json({"cmd", f.station, "remote-stop", "--transaction", tx});
  CHECK(str(stop["response"]["status"]) == "Accepted");
  REQUIRE(sim->wait_event("transaction_stopped", 20s));
  CHECK(eventually([&] { return profiles(csms, f).Size() == 0; }));
}

void refuse_invalid_then_accept_valid(const Flavour& f) {
  TempDir dir;
  Csms csms(dir);
  auto sim = start_sim(csms, f);
  const std::string st = f.station;
  auto refused = [&](std::vector<std::string> args, const std::string& why) {
    std::vector<std::string> all = {"cmd", st, "set-profile"};
    all.insert(all.end(), args.begin(), args.end());
    auto r = csms.ctl(all);
    INFO("set-profile " << r.out << r.err);
    CHECK(r.code != 0);
    CHECK(r.err.find(why) != std::string::npos);
  };
  refused({"--connector", "1", "--limit", "16", "--unit", "A", "--purpose", "TxProfile"},
          "no transaction is running");
  refused({"--connector", "0", "--limit", "16", "--unit", "A", "--purpose", "TxProfile"},
          "connector must be > 0");
  refused({"--connector", "1", "--limit", "16", "--unit", "A", "--purpose", f.max_purpose},
          "use connector 0");
  refused({"--connector", "1", "--limit", "0", "--unit", "A"}, "greater than 0");
  refused({"--connector", "1", "--limit", "16", "--unit", "kW"}, "W or A");
  refused({"--connector", "1", "--limit", "16", "--unit", "A", "--kind", "Recurring"},
          "recurrency");
  refused({"--connector", "1", "--limit", "16", "--unit", "A", "--purpose", "Cheapest"},
          "'purpose'");
  refused({"--limit", "16", "--unit", "A"}, "'connector'");
  refused({"--connector", "1", "--limit", "16", "--unit", "A", "--start", "yesterday"}, "RFC 3339");
  // Nothing was sent for any of them.
  auto log = csms.ctl_json({"log", st});
  for (const auto& frame : log.GetArray())
    CHECK(str(frame["frame"]).find("SetChargingProfile") == std::string::npos);

  // Both spellings of the max profile, a decimal limit, a daily recurring default.
  auto max = csms.ctl_json({"cmd", st, "set-profile", "--connector", "0", "--limit", "11000",
                            "--unit", "W", "--purpose",
                            f.v201 ? "ChargePointMaxProfile" : "ChargingStationMaxProfile"});
  CHECK(str(max["response"]["status"]) == "Accepted");
  auto daily = csms.ctl_json({"cmd", st, "set-profile", "--connector", "1", "--limit", "10.5",
                              "--unit", "A", "--kind", "Recurring", "--recurrency", "Daily",
                              "--start", "2026-01-01T00:00:00Z", "--id", "77"});
  CHECK(str(daily["response"]["status"]) == "Accepted");
  CHECK(daily["response"]["chargingProfileId"].GetInt64() == 77);
  auto stored = profiles(csms, f);
  REQUIRE(stored.Size() == 2);
  // By connector: the max profile (0) first.
  CHECK(str(stored[0]["purpose"]) == f.max_purpose);
  CHECK(stored[0]["limit"].GetDouble() == Approx(11000));
  CHECK(stored[1]["id"].GetInt64() == 77);
  CHECK(str(stored[1]["purpose"]) == "TxDefaultProfile");
  CHECK(str(stored[1]["kind"]) == "Recurring");
  CHECK(str(stored[1]["recurrency"]) == "Daily");
  CHECK(stored[1]["limit"].GetDouble() == Approx(10.5));
  // The composite is the smaller of the two: 10.5 A.
  auto composite = csms.ctl_json(
      {"cmd", st, "composite-schedule", "--connector", "1", "--duration", "60", "--unit", "A"});
  CHECK(composite_limit(composite["response"], f.v201) == Approx(10.5));

  // Same connector, purpose and stack level: the new profile replaces the old.
  auto replaced = csms.ctl_json(
      {"cmd", st, "set-profile", "--connector", "1", "--limit", "8", "--unit", "A", "--id", "78"});
  CHECK(str(replaced["response"]["status"]) == "Accepted");
  stored = profiles(csms, f);
  REQUIRE(stored.Size() == 2);
  CHECK(stored[1]["id"].GetInt64() == 78);

  // Clearing by purpose removes the max profile only.
  auto clear = csms.ctl_json({"cmd", st, "clear-profile", "--purpose", f.max_purpose});
  CHECK(str(clear["response"]["status"]) == "Accepted");
  stored = profiles(csms, f);
  REQUIRE(stored.Size() == 1);
  CHECK(stored[0]["id"].GetInt64() == 78);
}

}  // namespace

TEST_CASE(
    "1.6: set-profile is stored, limits the meter, shows in composite-schedule - clear-profile "
    "removes it",
    "[e2e][smart-charging]") {
  set_limit_follow_meter_and_clear(k16);
}

TEST_CASE(
    "2.0.1: set-profile is stored, limits the meter, shows in composite-schedule, get-profiles "
    "reports it - clear-profile removes it",
    "[e2e][smart-charging]") {
  set_limit_follow_meter_and_clear(k201);
}

TEST_CASE("1.6: invalid profiles are refused before sending - valid ones stored and replaced",
          "[e2e][smart-charging]") {
  refuse_invalid_then_accept_valid(k16);
}

TEST_CASE("2.0.1: invalid profiles are refused before sending - valid ones stored and replaced",
          "[e2e][smart-charging]") {
  refuse_invalid_then_accept_valid(k201);
}
