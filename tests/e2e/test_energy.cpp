// Site energy management end to end: ocpp-sim stations at a site with a grid
// limit against the real csms; the controller's profiles reach the stations,
// which follow them (docs/energy.md).
#include <catch2/catch.hpp>

#include "ocpp/sunspec.hpp"
#include "simulator/site_meter.hpp"
#include "support/harness.hpp"

using namespace e2e;

namespace {

std::string str(const rapidjson::Value& v) {
  return v.IsString() ? v.GetString() : "";
}

const char* kCharge = R"({"steps":[
    {"do":"start","connector":1,"idTag":"DRIVER"},
    {"do":"charge","connector":1,"seconds":60},
    {"do":"stop","connector":1,"reason":"Local"}]})";

void site_with_stations(Csms& csms, const std::vector<std::string>& stations,
                        std::vector<std::string> limit_args) {
  REQUIRE(csms.ctl({"site", "add", "HUB", "--region", "CN-East"}).code == 0);
  REQUIRE(csms.ctl({"idtag", "add", "DRIVER"}).code == 0);
  for (const auto& id : stations) {
    REQUIRE(csms.ctl({"station", "add", id}).code == 0);
    REQUIRE(csms.ctl({"station", "set-site", id, "HUB"}).code == 0);
  }
  std::vector<std::string> args = {"site", "set-limit", "HUB", "--period-s", "5"};
  args.insert(args.end(), limit_args.begin(), limit_args.end());
  REQUIRE(csms.ctl(args).code == 0);
}

std::vector<std::string> sim_args(const std::string& scenario) {
  return {"--meter-interval", "1", "--power-w", "22000", "--scenario", scenario};
}

// The live view once every active EVSE has been decided on and `ok` holds.
rapidjson::Document energy_when(const Csms& csms, std::size_t active,
                                const std::function<bool(const rapidjson::Value&)>& ok) {
  rapidjson::Document doc;
  const bool held = eventually(
      [&] {
        auto r = csms.ctl({"site", "energy", "HUB", "--json"});
        if (r.code != 0) return false;
        doc.Parse(r.out.c_str());
        if (doc.HasParseError() || !doc["evses"].IsArray()) return false;
        std::size_t n = 0;
        for (const auto& e : doc["evses"].GetArray()) n += e["active"].GetBool();
        return n == active && ok(doc);
      },
      20s, 250ms);
  INFO("site energy: " << ocpp::to_compact_json(doc));
  REQUIRE(held);
  return doc;
}

double tx_profile_limit(const Csms& csms, const std::string& station) {
  auto profiles = csms.ctl_json({"station", "profiles", station});
  for (const auto& p : profiles.GetArray())
    if (str(p["purpose"]).find("TxProfile") != std::string::npos && p["accepted"].GetBool())
      return p["limit"].GetDouble();
  return -1;
}

}  // namespace

TEST_CASE("the site controller shares the grid limit between two stations that follow it",
          "[e2e][energy]") {
  TempDir dir;
  Csms csms(dir);
  // 11 kW for two 22 kW cars; no meter yet, so the configured base load counts.
  site_with_stations(csms, {"E1", "E2"}, {"--import-kw", "11", "--max-base-kw", "0"});
  auto scenario = write_file(dir, "charge.json", kCharge);
  Sim a(csms, "E1", sim_args(scenario));
  Sim b(csms, "E2", sim_args(scenario));

  auto live = energy_when(csms, 2, [](const rapidjson::Value& d) {
    double sum = 0;
    for (const auto& e : d["evses"].GetArray()) sum += e["allocationW"].GetDouble();
    return sum > 0;
  });
  CHECK(live["settings"]["importLimitW"].GetDouble() == Approx(11000));
  double allocated = 0;
  for (const auto& e : live["evses"].GetArray()) {
    CHECK(e["allocationA"].GetDouble() >= 6);  // every admitted car gets its minimum
    allocated += e["allocationW"].GetDouble();
    CHECK_FALSE(str(e["limitedBy"]).empty());
  }
  CHECK(allocated <= 11000 + 1);
  // Fair: equal priorities, equal shares.
  CHECK(live["evses"][0]["allocationA"].GetDouble() ==
        Approx(live["evses"][1]["allocationA"].GetDouble()).margin(0.5));

  // The profiles reached the stations, which follow them.
  for (const std::string id : {"E1", "E2"}) {
    INFO(id);
    REQUIRE(eventually([&] { return tx_profile_limit(csms, id) > 0; }, 15s, 250ms));
    CHECK(tx_profile_limit(csms, id) <= 11000.0 / 2 / 690 + 0.1);
  }
  energy_when(csms, 2, [](const rapidjson::Value& d) {
    double measured = 0;
    for (const auto& e : d["evses"].GetArray())
      measured += e["measuredW"].IsNumber() ? e["measuredW"].GetDouble() : 1e9;
    return measured <= 11000 * 1.05;
  });
  auto decisions = csms.ctl_json({"site", "decisions", "HUB", "--limit", "3"});
  REQUIRE(decisions.Size() >= 1);
  CHECK(decisions[0]["evses"].Size() == 2);
  auto metrics = csms.ctl({"version"});  // the server is still up and answering
  CHECK(metrics.code == 0);
  // The simulators are still charging: they end with the test.
}

TEST_CASE("without readings or a configured base load every car falls to its safe current",
          "[e2e][energy]") {
  TempDir dir;
  Csms csms(dir);
  site_with_stations(csms, {"S1"}, {"--import-kw", "50", "--safe-a", "7"});
  auto scenario = write_file(dir, "charge.json", kCharge);
  Sim sim(csms, "S1", sim_args(scenario));
  auto live = energy_when(csms, 1, [](const rapidjson::Value& d) {
    return d["failSafe"].IsBool() && d["failSafe"].GetBool();
  });
  CHECK(live["evses"][0]["allocationA"].GetDouble() == Approx(7));
  REQUIRE(eventually([&] { return tx_profile_limit(csms, "S1") > 0; }, 15s, 250ms));
  CHECK(tx_profile_limit(csms, "S1") == Approx(7));

  // A fresh grid reading lifts the fail-safe at once: 50 kW less 2 kW of
  // building load (the car's own draw is part of the grid figure).
  REQUIRE(csms.ctl({"site", "reading", "HUB", "--grid-w", "2000"}).code == 0);
  live = energy_when(csms, 1, [](const rapidjson::Value& d) {
    return d["failSafe"].IsBool() && !d["failSafe"].GetBool();
  });
  CHECK(live["evses"][0]["allocationA"].GetDouble() > 7);
  CHECK(live["readings"].Size() == 1);
  CHECK(live["readings"][0]["maxAgeS"].GetInt() == 60);
}

TEST_CASE("circuits, EVSE settings and readings are validated", "[e2e][energy]") {
  TempDir dir;
  Csms csms(dir);
  site_with_stations(csms, {"V1"}, {"--import-kw", "100"});
  REQUIRE(csms.ctl({"site", "circuit", "add", "HUB", "F1", "--max-a", "63"}).code == 0);
  REQUIRE(
      csms.ctl({"site", "circuit", "add", "HUB", "F2", "--parent", "F1", "--max-a", "32"}).code ==
      0);
  auto loop = csms.ctl({"site", "circuit", "add", "HUB", "F1", "--parent", "F2", "--max-a", "1"});
  CHECK(loop.code == 1);
  CHECK(loop.err.find("its own ancestor") != std::string::npos);
  auto busy = csms.ctl({"site", "circuit", "remove", "HUB", "F1"});
  CHECK(busy.code == 1);
  CHECK(busy.err.find("hangs on") != std::string::npos);
  CHECK(csms.ctl_json({"site", "circuit", "list", "HUB"}).Size() == 2);
  auto set = csms.ctl_json({"station", "set-circuit", "V1", "F2", "--phases", "1", "--rotation",
                            "L2", "--priority", "2"});
  CHECK(str(set["circuit"]) == "F2");
  CHECK(set["phases"].GetInt() == 1);
  CHECK(csms.ctl({"station", "set-circuit", "V1", "NOPE"}).code == 1);
  CHECK(csms.ctl({"station", "set-mode", "V1", "turbo"}).code == 1);
  CHECK(csms.ctl({"station", "set-mode", "V1", "smart"}).code == 0);
  auto reading = csms.ctl({"site", "reading", "HUB"});
  CHECK(reading.code == 1);
  CHECK(reading.err.find("at least one of") != std::string::npos);
  CHECK(csms.ctl({"site", "set-limit", "HUB", "--period-s", "1"}).code == 1);
  CHECK(csms.ctl({"site", "windows", "HUB", "17:00-21:00=40"}).code == 0);
  auto live = csms.ctl_json({"site", "energy", "HUB"});
  CHECK(live["settings"]["windows"].Size() == 1);
  CHECK(live["settings"]["windows"][0]["importLimitW"].GetDouble() == Approx(40000));
  CHECK(csms.ctl({"site", "windows", "HUB", "7pm-9pm"}).code == 2);
}

TEST_CASE("the controller polls a SunSpec grid meter over Modbus TCP and fails safe when it goes",
          "[e2e][energy]") {
  simulator::SiteMeterServer meter("127.0.0.1", 0);
  meter.add_unit(1, {ocpp::sunspec::Model::Meter213}, "GRID-1");
  ocpp::sunspec::Values grid;
  grid.power_w = 4200;  // importing 4.2 kW
  meter.set(1, grid);
  meter.start();

  TempDir dir;
  Csms csms(dir);
  site_with_stations(csms, {"M1"}, {"--import-kw", "50"});
  REQUIRE(csms.ctl({"site", "meter", "add", "HUB", "grid-meter", "--host", "127.0.0.1", "--port",
                    std::to_string(meter.port()), "--role", "grid", "--poll-s", "1", "--max-age-s",
                    "3"})
              .code == 0);
  CHECK(csms.ctl_json({"site", "meter", "list", "HUB"}).Size() == 1);
  auto polled = [](const rapidjson::Value& d) {
    for (const auto& r : d["readings"].GetArray())
      if (str(r["source"]) == "grid-meter" && r["gridW"].IsNumber() && !r["stale"].GetBool())
        return r["gridW"].GetDouble() == Approx(4200);
    return false;
  };
  auto live = energy_when(csms, 0, [&](const rapidjson::Value& d) {
    return polled(d) && d["failSafe"].IsBool() && !d["failSafe"].GetBool();
  });
  CHECK(live["budgetW"].GetDouble() == Approx(50000 - 4200).margin(1));

  // The meter stops answering: its reading ages out and the site fails safe.
  meter.set_offline(true);
  energy_when(csms, 0, [](const rapidjson::Value& d) {
    return d["failSafe"].IsBool() && d["failSafe"].GetBool();
  });
  meter.stop();
}
