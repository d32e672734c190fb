// Meter data in over Modbus TCP (csms/src/energy/modbus_source.hpp): a
// ModbusSource polling the simulator's SiteMeterServer over loopback on an
// ephemeral port, for meters (203, 213), an inverter (103) and batteries (124,
// 802), and the errors and faults a site meets (no host, closed port, unknown
// unit, meter offline, frozen meter).
#include <catch2/catch.hpp>

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "energy/modbus_source.hpp"
#include "simulator/site_meter.hpp"

using csms::energy::ModbusSource;
using csms::energy::ModbusSourceConfig;
using ocpp::sunspec::Model;
using ocpp::sunspec::Values;

namespace {

constexpr int kMeter203 = 1;
constexpr int kMeter213 = 2;
constexpr int kInverter = 3;
constexpr int kStorage124 = 4;
constexpr int kBattery802 = 5;
constexpr int kHybrid = 6;  // a hybrid inverter: 103 + 802 on one unit

Values grid_values(double power_w) {
  Values v;
  v.power_w = power_w;
  v.phase_current_a[0] = 20.5;
  v.phase_current_a[1] = 19.0;
  v.phase_current_a[2] = -1.25;
  v.energy_import_wh = 5000000.0;
  v.energy_export_wh = 1200000.0;
  return v;
}

struct Site {
  simulator::SiteMeterServer server{"127.0.0.1", 0};

  Site() {
    server.add_unit(kMeter203, {Model::Meter203}, "GRID-203");
    server.add_unit(kMeter213, {Model::Meter213}, "GRID-213");
    server.add_unit(kInverter, {Model::Inverter103}, "PV-1");
    server.add_unit(kStorage124, {Model::Storage124}, "BAT-124");
    server.add_unit(kBattery802, {Model::Battery802}, "BAT-802");
    server.add_unit(kHybrid, {Model::Inverter103, Model::Battery802}, "HYB-1");
    server.start();
  }

  ModbusSourceConfig config(int unit_id, const std::string& role) const {
    ModbusSourceConfig c;
    c.name = role + "-" + std::to_string(unit_id);
    c.host = "127.0.0.1";
    c.port = server.port();
    c.unit_id = unit_id;
    c.role = role;
    c.timeout_ms = 500;
    return c;
  }
};

std::string poll_error(ModbusSource& source) {
  try {
    source.poll();
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("a source polls a 203 meter with import positive and export negative") {
  Site site;
  site.server.set(kMeter203, grid_values(-7321.0));
  ModbusSource source(site.config(kMeter203, "grid"));
  const auto v = source.poll();
  CHECK(*v.power_w == Approx(-7321.0));
  CHECK(*v.phase_current_a[0] == Approx(20.5));
  CHECK(*v.phase_current_a[2] == Approx(-1.25));
  CHECK(*v.energy_import_wh == Approx(5000000.0));
  CHECK(*v.energy_export_wh == Approx(1200000.0));
  const std::vector<std::pair<std::uint16_t, std::uint16_t>> models{{1, 66}, {203, 105}};
  CHECK(source.models() == models);

  site.server.set(kMeter203, grid_values(150000.0));  // importing 150 kW
  CHECK(*source.poll().power_w == Approx(150000.0));
}

TEST_CASE("a source polls a 213 float meter reading a long model in chunks of 125") {
  Site site;
  site.server.set(kMeter213, grid_values(22000.5));
  ModbusSource source(site.config(kMeter213, "grid"));
  const auto v = source.poll();
  CHECK(*v.power_w == Approx(22000.5));
  CHECK(*v.phase_current_a[1] == Approx(19.0));
  CHECK(*v.energy_export_wh == Approx(1200000.0));
  // "SunS" + first header, the common model + next header, then 213 (124
  // registers) + end marker = 126 registers: 125 and 1.
  CHECK(site.server.requests_served() == 4);
}

TEST_CASE("a source polls a 103 inverter with production positive") {
  Site site;
  Values pv;
  pv.power_w = 4200.0;
  pv.phase_current_a[0] = pv.phase_current_a[1] = pv.phase_current_a[2] = 6.1;
  pv.energy_export_wh = 31000000.0;
  site.server.set(kInverter, pv);
  ModbusSource source(site.config(kInverter, "pv"));
  const auto v = source.poll();
  CHECK(*v.power_w == Approx(4200.0));
  CHECK(*v.phase_current_a[1] == Approx(6.1));
  CHECK(*v.energy_export_wh == Approx(31000000.0));
}

TEST_CASE("a source polls the state of charge of a 124 storage and an 802 battery") {
  Site site;
  Values bat;
  bat.soc_pct = 63.5;
  bat.battery_power_w = -12000.0;  // discharging
  site.server.set(kStorage124, bat);
  site.server.set(kBattery802, bat);

  ModbusSource storage(site.config(kStorage124, "battery"));
  const auto s = storage.poll();
  CHECK(*s.soc_pct == Approx(63.5));
  CHECK_FALSE(s.battery_power_w);

  ModbusSource battery(site.config(kBattery802, "battery"));
  const auto b = battery.poll();
  CHECK(*b.soc_pct == Approx(63.5));
  CHECK(*b.battery_power_w == Approx(-12000.0));
}

TEST_CASE("a hybrid inverter gives its AC power and its battery on one unit") {
  Site site;
  Values v;
  v.power_w = 3000.0;
  v.soc_pct = 80.0;
  v.battery_power_w = 1500.0;
  site.server.set(kHybrid, v);
  ModbusSource source(site.config(kHybrid, "battery"));
  const auto got = source.poll();
  CHECK(*got.power_w == Approx(3000.0));
  CHECK(*got.soc_pct == Approx(80.0));
  CHECK(*got.battery_power_w == Approx(1500.0));
}

TEST_CASE("invert_power negates the power of a device signed the other way") {
  Site site;
  site.server.set(kMeter203, grid_values(900.0));
  auto config = site.config(kMeter203, "grid");
  config.invert_power = true;
  ModbusSource source(config);
  CHECK(*source.poll().power_w == Approx(-900.0));
}

TEST_CASE("a source reuses its connection between polls") {
  Site site;
  site.server.set(kMeter213, grid_values(1.0));
  ModbusSource source(site.config(kMeter213, "grid"));
  for (int i = 0; i < 3; ++i) source.poll();
  CHECK(site.server.connections_accepted() == 1);
}

TEST_CASE("a source reconnects after the meter dropped its connection") {
  Site site;
  site.server.set(kMeter203, grid_values(10.0));
  ModbusSource source(site.config(kMeter203, "grid"));
  source.poll();
  site.server.set_offline(true);
  CHECK_THAT(poll_error(source), Catch::Contains("127.0.0.1"));
  site.server.set_offline(false);
  CHECK(*source.poll().power_w == Approx(10.0));
}

TEST_CASE("an offline meter fails every poll with the source and host named") {
  Site site;
  site.server.set(kMeter203, grid_values(10.0));
  site.server.set_offline(true);
  ModbusSource source(site.config(kMeter203, "grid"));
  const auto error = poll_error(source);
  CHECK_THAT(error, Catch::Contains("modbus source \"grid-1\"") &&
                        Catch::Contains("127.0.0.1:" + std::to_string(site.server.port())));
  CHECK_THAT(poll_error(source), Catch::Contains("grid-1"));
}

TEST_CASE("a frozen meter keeps serving its last values") {
  Site site;
  site.server.set(kMeter213, grid_values(1000.0));
  ModbusSource source(site.config(kMeter213, "grid"));
  CHECK(*source.poll().power_w == Approx(1000.0));
  site.server.set_frozen(kMeter213, true);
  site.server.set(kMeter213, grid_values(2000.0));
  CHECK(*source.poll().power_w == Approx(1000.0));
  CHECK(*source.poll().energy_import_wh == Approx(5000000.0));
  site.server.set_frozen(kMeter213, false);
  CHECK(*source.poll().power_w == Approx(2000.0));
}

TEST_CASE("an unknown host fails with the host named") {
  ModbusSourceConfig config;
  config.name = "grid";
  config.host = "no-such-meter.invalid";
  config.port = 502;
  config.timeout_ms = 300;
  ModbusSource source(config);
  CHECK_THAT(poll_error(source), Catch::Contains("no-such-meter.invalid:502") &&
                                     Catch::Contains("cannot resolve host"));
}

TEST_CASE("a closed port fails with connection refused and the host named") {
  std::uint16_t port = 0;
  {
    Site site;
    port = site.server.port();
  }
  ModbusSourceConfig config;
  config.name = "pv";
  config.host = "127.0.0.1";
  config.port = port;
  config.timeout_ms = 300;
  ModbusSource source(config);
  CHECK_THAT(poll_error(source), Catch::Contains("127.0.0.1:" + std::to_string(port)) &&
                                     Catch::Contains("connect failed"));
}

TEST_CASE("an unknown unit id fails with the unit named") {
  Site site;
  ModbusSource source(site.config(9, "grid"));
  CHECK_THAT(poll_error(source), Catch::Contains("(unit 9)") && Catch::Contains("40000"));
}

TEST_CASE("a unit with no supported model fails naming the models found") {
  Site site;
  site.server.add_unit(7, {}, "EMPTY");
  ModbusSource source(site.config(7, "grid"));
  CHECK_THAT(poll_error(source), Catch::Contains("no supported SunSpec model (found: 1)"));
}

TEST_CASE("stopping the server with a client connected is prompt") {
  auto site = std::make_unique<Site>();
  site->server.set(kMeter203, grid_values(1.0));
  ModbusSource source(site->config(kMeter203, "grid"));
  source.poll();
  const auto begin = std::chrono::steady_clock::now();
  site->server.stop();
  CHECK(std::chrono::steady_clock::now() - begin < std::chrono::milliseconds(500));
  CHECK_THROWS_AS(source.poll(), std::runtime_error);
}
