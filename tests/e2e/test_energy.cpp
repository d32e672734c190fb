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

namespace {

// The installed profile `id` of a station (accepted), or nullptr.
const rapidjson::Value* profile(const rapidjson::Document& list, std::int64_t id) {
  for (const auto& p : list.GetArray())
    if (p["id"].GetInt64() == id && p["accepted"].GetBool()) return &p;
  return nullptr;
}

// The controller's profile ids (docs/energy.md, "Profiles").
constexpr std::int64_t kStationMax = 879998;
constexpr std::int64_t kTxDefault = 879999;
constexpr std::int64_t kTxEvse1 = 880001;

const char* kLongCharge = R"({"steps":[
    {"do":"start","connector":1,"idTag":"DRIVER"},
    {"do":"charge","connector":1,"seconds":600},
    {"do":"stop","connector":1,"reason":"Local"}]})";

}  // namespace

TEST_CASE("stations that refuse stack level 1 or 0 A still follow the controller",
          "[e2e][energy]") {
  TempDir dir;
  Csms csms(dir);
  site_with_stations(csms, {"Q1", "Q2"}, {"--import-kw", "50", "--max-base-kw", "0"});
  REQUIRE(csms.ctl({"site", "circuit", "add", "HUB", "F1", "--max-a", "20"}).code == 0);
  REQUIRE(csms.ctl({"station", "set-circuit", "Q1", "F1"}).code == 0);
  REQUIRE(csms.ctl({"station", "set-mode", "Q2", "off"}).code == 0);
  auto scenario = write_file(dir, "charge.json", kLongCharge);
  auto args = [&](const char* quirk) {
    auto a = sim_args(scenario);
    a.insert(a.end(), {"--quirk", quirk});
    return a;
  };
  Sim q1(csms, "Q1", args("stack0-only"));
  Sim q2(csms, "Q2", args("rejects-zero"));

  // Q1 took its dynamic limit at stack level 0 after refusing level 1.
  rapidjson::Document list;
  REQUIRE(eventually(
      [&] {
        list = csms.ctl_json({"station", "profiles", "Q1"});
        const auto* tx = profile(list, kTxEvse1);
        return tx && (*tx)["stackLevel"].GetInt() == 0 && (*tx)["limit"].GetDouble() > 0;
      },
      20s, 250ms));
  // Its static maximum is the circuit's fuse, at connector 0.
  const auto* max = profile(list, kStationMax);
  REQUIRE(max != nullptr);
  CHECK((*max)["limit"].GetDouble() == Approx(20));
  CHECK((*max)["connectorId"].GetInt() == 0);
  // Q2 (mode off) refused 0 A and is paused below any car's minimum instead.
  REQUIRE(eventually(
      [&] {
        auto q2_list = csms.ctl_json({"station", "profiles", "Q2"});
        const auto* tx = profile(q2_list, kTxEvse1);
        return tx && (*tx)["limit"].GetDouble() == Approx(0.1);
      },
      20s, 250ms));

  // A new safe current reaches the stations' default profiles.
  REQUIRE(csms.ctl({"site", "set-limit", "HUB", "--safe-a", "9"}).code == 0);
  REQUIRE(eventually(
      [&] {
        auto l = csms.ctl_json({"station", "profiles", "Q1"});
        const auto* d = profile(l, kTxDefault);
        return d && (*d)["limit"].GetDouble() == Approx(9);
      },
      20s, 250ms));

  // A station that leaves the site loses the controller's profiles.
  REQUIRE(csms.ctl({"station", "leave-site", "Q1"}).code == 0);
  REQUIRE(eventually(
      [&] {
        auto l = csms.ctl_json({"station", "profiles", "Q1"});
        return !profile(l, kTxDefault) && !profile(l, kStationMax) && !profile(l, kTxEvse1);
      },
      20s, 250ms));
}

TEST_CASE("after a restart the controller re-sends the limits it sent before raising any",
          "[e2e][energy]") {
  TempDir dir;
  Csms csms(dir);
  site_with_stations(csms, {"R1"}, {"--import-kw", "50", "--max-base-kw", "0"});
  REQUIRE(csms.ctl({"station", "set-circuit", "R1", "grid", "--max-a", "16"}).code == 0);
  auto scenario = write_file(dir, "charge.json", kLongCharge);
  Sim sim(csms, "R1", sim_args(scenario));
  REQUIRE(eventually([&] { return tx_profile_limit(csms, "R1") == Approx(16); }, 30s, 250ms));

  csms.restart();
  const auto before = csms.ctl_json({"site", "decisions", "HUB", "--limit", "1"});
  const std::int64_t last_id = before.Size() ? before[0]["id"].GetInt64() : 0;
  // The first decision after the restart with the car back sends 16 A again,
  // not the minimum a fresh controller would start from.
  rapidjson::Document first;
  REQUIRE(eventually(
      [&] {
        auto all = csms.ctl_json({"site", "decisions", "HUB", "--limit", "50"});
        for (auto i = all.Size(); i-- > 0;) {
          const auto& d = all[i];
          if (d["id"].GetInt64() <= last_id || !d["evses"].Size() ||
              !d["evses"][0]["active"].GetBool())
            continue;
          first.CopyFrom(d, first.GetAllocator());
          return true;
        }
        return false;
      },
      30s, 250ms));
  INFO(ocpp::to_compact_json(first));
  CHECK(first["evses"][0]["allocationA"].GetDouble() == Approx(16));
}

TEST_CASE("a circuit meter's other load narrows the circuit and its silence fails safe",
          "[e2e][energy]") {
  TempDir dir;
  Csms csms(dir);
  site_with_stations(
      csms, {"C1"},
      {"--import-kw", "100", "--max-base-kw", "0", "--safe-a", "7", "--reading-max-age-s", "4"});
  REQUIRE(csms.ctl({"site", "circuit", "add", "HUB", "F1", "--max-a", "32"}).code == 0);
  REQUIRE(csms.ctl({"station", "set-circuit", "C1", "F1"}).code == 0);
  // Validation: currents need their circuit, and a known one.
  CHECK(csms.ctl({"site", "reading", "HUB", "--currents-a", "1"}).code == 1);
  CHECK(csms.ctl({"site", "reading", "HUB", "--circuit", "NOPE", "--currents-a", "1"}).code == 1);
  CHECK(csms.ctl({"site", "reading", "HUB", "--circuit", "F1", "--currents-a", "1,2,3,4"}).code ==
        1);
  CHECK(csms.ctl({"site", "meter", "add", "HUB", "m", "--host", "127.0.0.1", "--role", "circuit"})
            .code == 1);

  auto scenario = write_file(dir, "charge.json", kLongCharge);
  Sim sim(csms, "C1", sim_args(scenario));
  energy_when(csms, 1, [](const rapidjson::Value&) { return true; });
  // 20 A of other load on F1 (the car's own draw is taken out): 12 A left.
  auto push = [&] {
    const auto live = csms.ctl_json({"site", "energy", "HUB"});
    double car = 0;
    for (const auto& e : live["evses"].GetArray())
      if (e["measuredA"].IsNumber()) car = e["measuredA"].GetDouble();
    const auto amps = std::to_string(20 + car);
    return csms.ctl({"site", "reading", "HUB", "--circuit", "F1", "--currents-a",
                     amps + "," + amps + "," + amps})
               .code == 0;
  };
  const bool narrowed = eventually(
      [&] {
        if (!push()) return false;
        const auto live = csms.ctl_json({"site", "energy", "HUB"});
        const auto& e = live["evses"][0];
        return e["active"].GetBool() && e["allocationA"].GetDouble() > 0 &&
               e["allocationA"].GetDouble() <= 12 + 0.1 &&
               str(e["limitedBy"]).find("F1") != std::string::npos;
      },
      30s, 500ms);
  INFO(csms.ctl({"site", "energy", "HUB", "--json"}).out);
  CHECK(narrowed);
  // The meter goes quiet: its circuit's EVSEs fall to the safe current.
  CHECK(energy_when(csms, 1,
                    [](const rapidjson::Value& d) {
                      const auto& e = d["evses"][0];
                      return e["allocationA"].GetDouble() == Approx(7);
                    })["evses"][0]["allocationA"]
            .GetDouble() == Approx(7));
}
