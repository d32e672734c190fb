// The simulated site's physics (simulator/site_model.hpp) and its configuration
// (simulator/site.hpp): PV curve and clouds, battery limits and efficiency,
// base load, cars that follow a limit late, never below their minimum, taper
// and draw less than offered, and the grid meter that is the sum.
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>

#include "simulator/site.hpp"
#include "simulator/site_model.hpp"

using namespace simulator::site;

namespace {

constexpr double kNoon = 13 * 3600;  // midway between 06:00 and 20:00

Battery battery(double soc = 50) {
  Battery b;
  b.present = true;
  b.capacity_wh = 10000;
  b.soc_pct = soc;
  b.max_charge_w = 3000;
  b.max_discharge_w = 4000;
  b.efficiency = 0.9;
  b.min_soc_pct = 10;
  b.max_soc_pct = 90;
  return b;
}

}  // namespace

TEST_CASE("site: PV follows a clear-sky day curve with its peak at solar noon") {
  Pv pv;
  pv.peak_w = 20000;
  CHECK(pv_power(pv, 5 * 3600) == 0);
  CHECK(pv_power(pv, 6 * 3600) == 0);
  CHECK(pv_power(pv, 21 * 3600) == 0);
  CHECK(pv_power(pv, kNoon) == Approx(20000));
  CHECK(pv_power(pv, 9 * 3600) == Approx(pv_power(pv, 17 * 3600)));  // symmetric
  CHECK(pv_power(pv, 9 * 3600) < pv_power(pv, 11 * 3600));
}

TEST_CASE("site: a cloud drops PV by 70 percent over its ramp and lets it back") {
  Pv pv;
  pv.peak_w = 20000;
  pv.clouds = {Cloud{static_cast<std::int64_t>(kNoon), 600}};
  CHECK(pv_power(pv, kNoon - 1) == Approx(20000).epsilon(0.001));
  CHECK(pv_power(pv, kNoon + 5) == Approx(20000 * (1 - 0.7 * 0.5)).epsilon(0.001));
  CHECK(pv_power(pv, kNoon + 10) == Approx(6000).epsilon(0.001));
  CHECK(pv_power(pv, kNoon + 300) == Approx(6000).epsilon(0.001));
  Pv clear = pv;
  clear.clouds.clear();
  CHECK(pv_power(pv, kNoon + 620) == Approx(pv_power(clear, kNoon + 620)));
}

TEST_CASE("site: a PV CSV is interpolated between its points, header and comments skipped") {
  std::string error;
  auto series = parse_pv_csv("time,W\n# morning\n08:00,0\n09:00,4000\r\n36000,8000\n", error);
  REQUIRE(series);
  REQUIRE(series->size() == 3);
  Pv pv;
  pv.series = *series;
  CHECK(pv_power(pv, 7 * 3600) == 0);
  CHECK(pv_power(pv, 8.5 * 3600) == Approx(2000));
  CHECK(pv_power(pv, 9.5 * 3600) == Approx(6000));
  CHECK(pv_power(pv, 12 * 3600) == Approx(8000));  // the last value holds
  CHECK_FALSE(parse_pv_csv("08:00,1\n07:00,2\n", error));
  CHECK(error.find("line 2") != std::string::npos);
  CHECK_FALSE(parse_pv_csv("08:00,1\nnoon,2\n", error));
  CHECK_FALSE(parse_pv_csv("", error));
}

TEST_CASE("site: the battery charges from surplus within its limit and efficiency") {
  const Battery b = battery(50);
  double soc = 50;
  // 5 kW surplus for an hour, 3 kW charge limit: 3 kWh in, 2.7 kWh stored.
  double p = 0;
  for (int s = 0; s < 3600; ++s) p = battery_step(b, soc, -5000);
  CHECK(p == Approx(3000));
  CHECK(soc == Approx(50 + 27).epsilon(0.0001));
  // Full at 90 %: it takes only what fits, then nothing.
  for (int s = 0; s < 3600; ++s) p = battery_step(b, soc, -5000);
  CHECK(soc == Approx(90).epsilon(0.0001));
  CHECK(p == Approx(0).margin(1e-6));
}

TEST_CASE("site: the battery covers a deficit within its limit down to its minimum SoC") {
  const Battery b = battery(20);
  double soc = 20;
  double p = battery_step(b, soc, 6000);
  CHECK(p == Approx(-4000));  // the discharge limit
  // 1 kWh above the minimum holds 0.9 kWh at the terminals.
  double delivered_wh = 4000.0 / 3600;
  for (int s = 1; s < 3600; ++s) delivered_wh -= battery_step(b, soc, 6000) / 3600;
  CHECK(soc == Approx(10).epsilon(0.0001));
  CHECK(delivered_wh == Approx(900).epsilon(0.001));
  CHECK(battery_step(b, soc, 6000) == Approx(0).margin(1e-6));
  double none = 40;
  CHECK(battery_step(Battery{}, none, 6000) == 0);  // no battery
}

TEST_CASE("site: the grid meter is base plus cars plus battery charge minus PV") {
  double soc = 50;
  Flow f = site_flow(3000, 11000, 2000, Battery{}, soc);
  CHECK(f.grid_w == Approx(12000));
  CHECK(f.battery_w == 0);
  // With a battery: 10 kW surplus, 3 kW of it into the battery, 7 kW exported.
  f = site_flow(2000, 0, 12000, battery(50), soc);
  CHECK(f.battery_w == Approx(3000));
  CHECK(f.grid_w == Approx(-7000));
  // A deficit of 5 kW: 4 kW from the battery, 1 kW from the grid.
  f = site_flow(5000, 0, 0, battery(50), soc);
  CHECK(f.battery_w == Approx(-4000));
  CHECK(f.grid_w == Approx(1000));
}

TEST_CASE("site: the base load walks within its bounds, reproducibly, and steps") {
  BaseLoad b;
  b.start_w = 5000;
  b.walk_w = 500;
  b.walk_every_s = 10;
  b.min_w = 4000;
  b.max_w = 6000;
  b.steps = {BaseStep{1000, 10000}};
  BaseLoadModel one(b, 0), two(b, 0);
  bool changed = false;
  for (std::int64_t t = 0; t < 1000; ++t) {
    const double v = one.step(t);
    CHECK(v == two.step(t));
    CHECK(v >= 4000);
    CHECK(v <= 6000);
    changed = changed || v != 5000;
  }
  CHECK(changed);
  CHECK(one.step(1000) == 6000);  // the step pushes it to the maximum
}

TEST_CASE("site: a car follows a new limit only after its delay, and ramps up") {
  CarSettings s;
  s.phases = 3;
  s.delay_s = 6;
  s.ramp_up_a_per_s = 5;
  s.draw_max_a = 32;
  Car car(s, 16);
  for (int t = 0; t < 10; ++t) car.step(t);
  CHECK(car.draw_a() == Approx(16));
  CHECK(car.power_w() == Approx(16 * 690));
  car.offer(10, 10);
  for (int t = 10; t < 16; ++t) CHECK(car.step(t) == Approx(16));  // not yet
  CHECK(car.step(16) == Approx(10));                               // decreases at once when due
  car.follow(20, 30);
  car.follow(21, 30);  // the same limit again is not a new offer
  for (int t = 20; t < 26; ++t) car.step(t);
  CHECK(car.draw_a() == Approx(10));
  CHECK(car.step(26) == Approx(15));  // 5 A/s up
  CHECK(car.step(27) == Approx(20));
  for (int t = 28; t < 40; ++t) car.step(t);
  CHECK(car.draw_a() == Approx(30));
}

TEST_CASE("site: below its minimum current a car draws nothing") {
  CarSettings s;
  s.min_a = 6;
  s.delay_s = 0;
  Car car(s, 0);
  CHECK(car.step(0) == 0);
  car.offer(1, 5.5);
  CHECK(car.step(1) == 0);
  car.offer(2, 6);
  CHECK(car.step(2) == Approx(6));  // starts at its minimum at once
  car.offer(3, 0);
  CHECK(car.step(3) == 0);
}

TEST_CASE("site: a car draws less than offered when its own maximum is lower") {
  CarSettings s;
  s.delay_s = 0;
  s.draw_max_a = 13;
  Car car(s, 32);
  for (int t = 0; t < 10; ++t) car.step(t);
  CHECK(car.draw_a() == Approx(13));
  car.set_draw_max(8);
  CHECK(car.step(10) == Approx(8));
}

TEST_CASE("site: above 80 percent SoC a car tapers, never below its minimum, and stops when full") {
  CarSettings s;
  s.phases = 3;
  s.delay_s = 0;
  s.capacity_wh = 10000;
  s.soc_pct = 79.9;
  s.draw_max_a = 32;
  Car car(s, 32);
  CHECK(car.step(0) == Approx(6));  // starts at its minimum, then ramps
  CHECK(car.step(1) == Approx(11));
  for (int t = 2; t < 7; ++t) car.step(t);
  CHECK(car.draw_a() == Approx(32).margin(0.5));
  int t = 7;
  while (car.soc_pct() < 90 && t < 100000) car.step(t++);
  CHECK(car.draw_a() < 17);  // halfway up the taper: about half
  CHECK(car.draw_a() > 15);
  while (car.soc_pct() < 99.9 && t < 100000) car.step(t++);
  CHECK(car.draw_a() == Approx(6));  // the minimum, not less
  while (car.soc_pct() < 100 && t < 200000) car.step(t++);
  CHECK(car.step(t) == 0);  // full
}

TEST_CASE("site: times of day parse as HH:MM[:SS] or seconds") {
  CHECK(*parse_time_of_day("06:30") == 6.5 * 3600);
  CHECK(*parse_time_of_day("23:59:30") == 86370);
  CHECK(*parse_time_of_day("3600") == 3600);
  CHECK(*parse_time_of_day("25:00") == 90000);
  CHECK_FALSE(parse_time_of_day("12:60"));
  CHECK_FALSE(parse_time_of_day("1:2:3:4"));
  CHECK_FALSE(parse_time_of_day("noon"));
  CHECK(format_time_of_day(45296) == "12:34:56");
}

TEST_CASE("site: a configuration parses with its defaults") {
  std::string error;
  auto c = parse_site_config(R"({
    "csmsUrl": "ws://127.0.0.1:1/ocpp",
    "modbus": {"port": 0, "gridUnit": 1, "pvUnit": 2, "batteryUnit": 3},
    "clock": {"start": "10:00", "end": "16:00", "speed": 60},
    "pv": {"peakW": 30000, "sunrise": "06:00", "sunset": "20:00",
           "clouds": [{"at": "12:00", "durationS": 300}]},
    "battery": {"capacityWh": 20000, "socPct": 40},
    "base": {"startW": 8000, "walkW": 300, "steps": [{"at": "13:00", "deltaW": 4000}]},
    "stations": [
      {"id": "HUB-1", "version": "1.6", "connectors": 2, "quirks": ["stack0-only"],
       "cars": [{"connector": 2, "arrive": "10:05", "depart": "15:00", "drawMaxA": 16,
                 "socPct": 30, "idTag": "CAR-1"}]},
      {"id": "HUB-2", "version": "2.0.1", "password": "pw"}],
    "faults": [{"at": "14:00", "kind": "meter-offline", "durationS": 120},
               {"at": "14:30", "kind": "station-offline", "target": "HUB-2", "durationS": 60}]
  })",
                             "", error);
  INFO(error);
  REQUIRE(c);
  CHECK(c->start_s == 36000);
  CHECK(*c->end_s == 57600);
  CHECK(c->speed == 60);
  CHECK(c->grid_model == 213);
  CHECK(c->pv.clouds.size() == 1);
  CHECK(c->battery.present);
  CHECK(c->battery.efficiency == Approx(0.95));
  CHECK(c->base.steps.at(0).at_s == 46800);
  REQUIRE(c->stations.size() == 2);
  CHECK(c->stations[0].quirks.stack0_only);
  CHECK(c->stations[0].phases == 3);
  const auto& car = c->stations[0].cars.at(0);
  CHECK(car.connector == 2);
  CHECK(car.car.draw_max_a == 16);
  CHECK(car.car.min_a == 6);
  CHECK(car.car.delay_s == 6);
  CHECK(car.id_tag == "CAR-1");
  CHECK(c->stations[1].version == ocpp::Version::v201);
  CHECK(*c->stations[1].password == "pw");
  CHECK(c->faults.at(1).kind == FaultKind::StationOffline);
}

TEST_CASE("site: a configuration's mistakes are named by their member") {
  std::string error;
  auto bad = [&error](const std::string& json) {
    return !parse_site_config(json, "", error).has_value();
  };
  CHECK(bad(R"({})"));
  CHECK(error.find("csmsUrl") != std::string::npos);
  CHECK(bad(R"({"csmsUrl":"ws://h/o","stations":[{"id":"A","version":"1.5"}]})"));
  CHECK(error.find("stations[0].version") != std::string::npos);
  CHECK(bad(R"({"csmsUrl":"ws://h/o","stations":[{"id":"A","quirks":["fast"]}]})"));
  CHECK(error.find("stations[0].quirks[0]") != std::string::npos);
  CHECK(bad(R"({"csmsUrl":"ws://h/o","stations":[{"id":"A","cars":[{"arrive":"10:00",
               "depart":"09:00"}]}]})"));
  CHECK(error.find("stations[0].cars[0].depart") != std::string::npos);
  CHECK(bad(R"({"csmsUrl":"ws://h/o","faults":[{"at":"10:00","kind":"station-offline",
               "target":"NOPE"}]})"));
  CHECK(error.find("faults[0].target") != std::string::npos);
  CHECK(bad(R"({"csmsUrl":"ws://h/o","pv":{"peakw":1}})"));
  CHECK(error.find("pv.peakw: unknown member") != std::string::npos);
  CHECK(bad(R"({"csmsUrl":"ws://h/o","pv":{"csv":"/nonexistent/pv.csv"}})"));
  CHECK(error.find("pv.csv") != std::string::npos);
}

TEST_CASE("site: the example site configuration is valid") {
  std::string error;
  auto c = load_site_config(SIMULATOR_SITES_DIR "/hub-small.json", error);
  INFO(error);
  REQUIRE(c);
  CHECK(c->stations.size() >= 3);
}

TEST_CASE("site: command line options") {
  std::string error;
  auto o = parse_site_options(
      {"--config", "site.json", "--speed", "60", "--start=06:00", "--end", "20:00"}, error);
  REQUIRE(o);
  CHECK(o->config == "site.json");
  CHECK(*o->speed == 60);
  CHECK(*o->start_s == 21600);
  CHECK(*o->end_s == 72000);
  CHECK_FALSE(parse_site_options({"--speed", "60"}, error));
  CHECK(error.find("--config") != std::string::npos);
  CHECK_FALSE(parse_site_options({"--config", "x", "--speed", "0"}, error));
  CHECK_FALSE(parse_site_options({"--config", "x", "--fast"}, error));
  CHECK(parse_site_options({"--help"}, error)->help);
  CHECK(site_usage().find("--speed") != std::string::npos);
}
