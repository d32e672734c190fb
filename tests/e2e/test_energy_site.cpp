// The seed hub scaled down, end to end: `ocpp-sim site` runs a simulated site
// (PV, base load, a grid meter served over Modbus TCP / SunSpec) with two 1.6
// stations and one 2.0.1 station whose cars follow the profiles; the real
// csms polls the site's meters and keeps the grid import under the site's
// limit, and falls back to the safe current when the grid meter goes offline.
#include <catch2/catch.hpp>

#include <cmath>
#include <csignal>
#include <map>
#include <tuple>

#include "support/harness.hpp"

using namespace e2e;

namespace {

constexpr double kLimitW = 30000;
constexpr double kSafeA = 8;

// 12:00:00 at 1 simulated second per second: three cars plug in at once and
// charge; the grid meter goes offline 25 s in.
const char* kSite = R"({
  "csmsUrl": "@URL@",
  "modbus": {"host": "127.0.0.1", "port": 0, "gridUnit": 1, "pvUnit": 2, "batteryUnit": 3},
  "clock": {"start": "12:00:00", "end": "13:00:00", "speed": 1},
  "reportEveryS": 1,
  "pv": {"peakW": 10000, "sunrise": "06:00", "sunset": "20:00"},
  "base": {"startW": 8000},
  "stations": [
    {"id": "HUB-A", "version": "1.6", "meterIntervalS": 1,
     "cars": [{"arrive": "12:00:00", "depart": "13:00:00", "idTag": "CAR-A", "delayS": 2}]},
    {"id": "HUB-B", "version": "1.6", "meterIntervalS": 1,
     "cars": [{"arrive": "12:00:00", "depart": "13:00:00", "idTag": "CAR-B", "delayS": 2}]},
    {"id": "HUB-C", "version": "2.0.1", "meterIntervalS": 1,
     "cars": [{"arrive": "12:00:00", "depart": "13:00:00", "idTag": "CAR-C", "delayS": 2,
               "drawMaxA": 12}]}
  ],
  "faults": [{"at": "12:00:25", "kind": "meter-offline"}]
})";

std::string str(const rapidjson::Value& v) {
  return v.IsString() ? v.GetString() : "";
}

std::string replace(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

// The ocpp-sim site's event lines named `name`, in order.
std::vector<rapidjson::Document> events(Process& site, const std::string& name) {
  std::vector<rapidjson::Document> out;
  for (const auto& line : site.stdout_lines()) {
    rapidjson::Document doc;
    doc.Parse(line.c_str());
    if (!doc.HasParseError() && doc.IsObject() && doc.HasMember("event") &&
        str(doc["event"]) == name)
      out.push_back(std::move(doc));
  }
  return out;
}

// The last `n` "site" events (fewer if there are not that many).
std::vector<rapidjson::Document> last_site_events(Process& site, std::size_t n) {
  auto all = events(site, "site");
  if (all.size() > n) all.erase(all.begin(), all.end() - static_cast<std::ptrdiff_t>(n));
  return all;
}

std::optional<rapidjson::Document> live_view(const Csms& csms) {
  auto r = csms.ctl({"site", "energy", "HUB", "--json"});
  if (r.code != 0) return std::nullopt;
  rapidjson::Document doc;
  doc.Parse(r.out.c_str());
  if (doc.HasParseError() || !doc.IsObject() || !doc["evses"].IsArray()) return std::nullopt;
  return doc;
}

std::size_t active(const rapidjson::Value& live) {
  std::size_t n = 0;
  for (const auto& e : live["evses"].GetArray()) n += e["active"].GetBool();
  return n;
}

// Each car's draw in a "site" event, by station.
std::map<std::string, double> draws(const rapidjson::Value& site_event) {
  std::map<std::string, double> out;
  for (const auto& c : site_event["cars"].GetArray())
    out[str(c["station"])] = c["drawA"].GetDouble();
  return out;
}

}  // namespace

TEST_CASE("a simulated site's grid import settles under the limit and a dead meter fails safe",
          "[e2e][energy][site]") {
  TempDir dir;
  Csms csms(dir);
  REQUIRE(csms.ctl({"site", "add", "HUB", "--region", "CN-East"}).code == 0);
  for (const std::string id : {"HUB-A", "HUB-B", "HUB-C"}) {
    REQUIRE(csms.ctl({"station", "add", id}).code == 0);
    REQUIRE(csms.ctl({"station", "set-site", id, "HUB"}).code == 0);
  }
  for (const std::string tag : {"CAR-A", "CAR-B", "CAR-C"})
    REQUIRE(csms.ctl({"idtag", "add", tag}).code == 0);
  REQUIRE(csms.ctl({"site", "set-limit", "HUB", "--import-kw", "30", "--margin-kw", "1",
                    "--period-s", "5", "--safe-a", "8"})
              .code == 0);

  const auto config = write_file(dir, "site.json", replace(kSite, "@URL@", csms.ws_url()));
  Process site({OCPP_SIM_BIN, "site", "--config", config});
  REQUIRE(eventually([&] { return !events(site, "site-ready").empty(); }, 10s));
  const int port = events(site, "site-ready").front()["modbusPort"].GetInt();
  REQUIRE(port > 0);
  for (const auto& [name, role, unit] :
       {std::tuple<const char*, const char*, const char*>{"grid-meter", "grid", "1"},
        {"pv-inverter", "pv", "2"}}) {
    REQUIRE(csms.ctl({"site", "meter", "add", "HUB", name, "--host", "127.0.0.1", "--port",
                      std::to_string(port), "--unit", unit, "--role", role, "--poll-s", "1",
                      "--max-age-s", "2"})
                .code == 0);
  }

  // All three cars charge, the controller has the meters, and the grid import
  // has settled at or under the limit for the last few simulated seconds.
  rapidjson::Document live;
  const bool settled = eventually(
      [&] {
        auto view = live_view(csms);
        if (!view || active(*view) != 3 || (*view)["failSafe"].GetBool()) return false;
        auto recent = last_site_events(site, 3);
        if (recent.size() < 3) return false;
        for (const auto& e : recent) {
          if (e["cars"].Size() != 3 || e["gridW"].GetDouble() > kLimitW) return false;
          for (const auto& [station, a] : draws(e))
            if (a <= 0) return false;
        }
        // The import is used, not only kept under: within 3 kW of the target.
        if (recent.back()["gridW"].GetDouble() < kLimitW - 1000 - 3000) return false;
        live = std::move(*view);
        return true;
      },
      25s, 250ms);
  INFO("site energy: " << ocpp::to_compact_json(live));
  INFO("last site event: " << site.stdout_lines().back());
  REQUIRE(settled);
  CHECK(live["settings"]["importLimitW"].GetDouble() == Approx(kLimitW));
  // The meters are what the controller read: the polled grid and PV readings.
  bool grid_read = false;
  for (const auto& r : live["readings"].GetArray())
    grid_read = grid_read || (str(r["source"]) == "grid-meter" && r["gridW"].IsNumber());
  CHECK(grid_read);
  // The allocations fit the budget, and every car draws what it was allocated
  // at most (HUB-C's car takes 12 A at most, whatever it is offered).
  double allocated_w = 0;
  for (const auto& e : live["evses"].GetArray()) {
    allocated_w += e["allocationW"].GetDouble();
    CHECK(e["allocationA"].GetDouble() >= 6);
  }
  CHECK(allocated_w <= live["budgetW"].GetDouble() + 1);
  REQUIRE(eventually(
      [&] {
        auto view = live_view(csms);
        if (!view) return false;
        auto now = draws(last_site_events(site, 1).at(0));
        for (const auto& e : (*view)["evses"].GetArray()) {
          const double a = now[str(e["station"])];
          if (a > e["allocationA"].GetDouble() + 0.5) return false;
        }
        return now["HUB-C"] <= 12 + 1e-6;
      },
      10s, 250ms));

  // 12:00:25: the Modbus server goes offline. The grid reading goes stale and
  // the controller falls back to the safe current; the cars follow it.
  const bool safe = eventually(
      [&] {
        if (events(site, "fault").empty()) return false;
        auto view = live_view(csms);
        if (!view || !(*view)["failSafe"].GetBool() || active(*view) != 3) return false;
        for (const auto& e : (*view)["evses"].GetArray())
          if (std::abs(e["allocationA"].GetDouble() - kSafeA) > 1e-6) return false;
        auto recent = last_site_events(site, 1);
        if (recent.empty()) return false;
        for (const auto& [station, a] : draws(recent.front()))
          if (std::abs(a - kSafeA) > 0.01) return false;
        live = std::move(*view);
        return true;
      },
      25s, 250ms);
  INFO("site energy: " << ocpp::to_compact_json(live));
  INFO("last site event: " << site.stdout_lines().back());
  REQUIRE(safe);
  CHECK(str(events(site, "fault").front()["kind"]) == "meter-offline");
  CHECK(last_site_events(site, 1).at(0)["meterOffline"].GetBool());

  site.signal(SIGTERM);
  REQUIRE(site.wait(10s) == 0);
  CHECK(events(site, "site-end").size() == 1);
}
