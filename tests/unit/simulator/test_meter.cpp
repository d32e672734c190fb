// The meter model: energy is power integrated over the time it flows.
#include <catch2/catch.hpp>

#include "simulator/meter.hpp"

using simulator::Clock;
using simulator::Meter;
using namespace std::chrono_literals;

TEST_CASE("meter: energy rises with power times charging time") {
  const Clock::time_point t0{};
  Meter m(7400.0, 1000.0);
  CHECK(m.energy_wh(t0) == Approx(1000.0));
  m.resume(t0);
  CHECK(m.energy_wh(t0 + 1h) == Approx(8400.0));
  CHECK(m.energy_wh(t0 + 30min) == Approx(4700.0));
  CHECK(m.energy_wh_int(t0 + 1s) == 1002);  // 7400 W for 1 s = 2.06 Wh, floored
}

TEST_CASE("meter: paused meters keep their register and resume from it") {
  const Clock::time_point t0{};
  Meter m(3600.0);
  m.resume(t0);
  m.pause(t0 + 1h);
  CHECK(m.energy_wh(t0 + 5h) == Approx(3600.0));
  CHECK(m.power_w() == 0.0);
  m.resume(t0 + 5h);
  CHECK(m.energy_wh(t0 + 6h) == Approx(7200.0));
}

TEST_CASE("meter: current follows power at 230 V and only while flowing") {
  Meter m(7360.0);
  CHECK(m.current_a() == 0.0);
  m.resume(Clock::time_point{});
  CHECK(m.power_w() == 7360.0);
  CHECK(m.current_a() == Approx(32.0));
}

TEST_CASE("meter: a power change applies from then on") {
  const Clock::time_point t0{};
  Meter m(1000.0);
  m.resume(t0);
  m.set_power(t0 + 1h, 2000.0);
  CHECK(m.energy_wh(t0 + 2h) == Approx(3000.0));
}

TEST_CASE("meter: state of charge rises with energy and stops at 100 %") {
  const Clock::time_point t0{};
  Meter m(10000.0, 500.0);
  CHECK_FALSE(m.soc_percent(t0));
  m.attach_ev(t0, 50.0, 20000.0);
  m.resume(t0);
  CHECK(*m.soc_percent(t0 + 1h) == Approx(100.0));
  CHECK(*m.soc_percent(t0 + 30min) == Approx(75.0));
  CHECK(*m.soc_percent(t0 + 5h) == Approx(100.0));
  m.detach_ev();
  CHECK_FALSE(m.soc_percent(t0 + 5h));
}
